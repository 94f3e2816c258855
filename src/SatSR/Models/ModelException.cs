namespace SatSR.Models;

/// <summary>A model file is missing, broken, hostile or of an unsupported kind; the message is one line naming the file.</summary>
public class ModelException(string message, Exception? inner = null) : SatSRException(message, inner);
