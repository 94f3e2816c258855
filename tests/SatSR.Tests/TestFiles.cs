namespace SatSR.Tests;

/// <summary>Paths of the committed fixtures and fresh temporary folders.</summary>
public static class TestFiles
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>A new empty folder under the system temp folder, unique to the caller.</summary>
    public static string TempDir() => Directory.CreateTempSubdirectory("satsr-test-").FullName;
}
