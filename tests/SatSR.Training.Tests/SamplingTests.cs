using SatSR.Geometry;
using SatSR.Training.Data;

namespace SatSR.Training.Tests;

public class SamplingTests
{
    /// <summary>
    /// An 8-bit image whose 0s (nodata) form a diagonal band and scattered single pixels: across many steps no drawn
    /// patch holds a 0 or touches the held-out window, and patches do come from both sides of the band.
    /// </summary>
    [Fact]
    public void Patches_never_touch_nodata_or_the_validation_window()
    {
        using var temp = new TempFolder();
        static byte Value(int x, int y) => Math.Abs(x - y) < 6 || (x * 7 + y * 13) % 211 == 0 ? (byte)0 : (byte)(1 + (x * 3 + y) % 250);
        var path = TrainingFixtures.Raster(temp.File("holes.tif"), 160, 120, Value);
        var image = TrainingImage.Load(path, channels: 3);
        var held = new Window(0, 100, 160, 20);
        var sampler = new PatchSampler([image], 16, 4, [[held]]);
        Assert.True(sampler.PositionCount > 0);

        var above = 0;
        var below = 0;
        for (var step = 1; step <= 300; step++)
        {
            foreach (var patch in sampler.Draw(5, step, 8))
            {
                var w = patch.Window;
                Assert.False(w.Intersects(held), $"step {step}: {w} touches the validation window");
                for (var y = w.Row; y < w.Bottom; y++)
                    for (var x = w.Column; x < w.Right; x++)
                        Assert.True(Value(x, y) != 0, $"step {step}: {w} holds nodata at {x},{y}");
                if (w.Column > w.Row) above++;
                else below++;
            }
        }
        Assert.True(above > 0 && below > 0);
    }
}
