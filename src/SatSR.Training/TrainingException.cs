namespace SatSR.Training;

/// <summary>Training cannot start or go on: bad inputs or options, a checkpoint that does not fit. One line.</summary>
public sealed class TrainingException(string message, Exception? inner = null) : SatSRException(message, inner);
