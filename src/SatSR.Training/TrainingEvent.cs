using SatSR.Geometry;
using SatSR.Quality;

namespace SatSR.Training;

/// <summary>What a run reports as it goes; the caller decides how it looks.</summary>
public abstract record TrainingEvent;

/// <param name="Positions">how many distinct patch positions may be drawn</param>
/// <param name="Files">how many rasters they lie in</param>
/// <param name="ResumedFrom">the checkpoint's step, 0 for a fresh run</param>
public sealed record TrainingStarted(long Positions, int Files, Window Validation, long ResumedFrom, long Steps) : TrainingEvent;

/// <param name="Rate">the learning rate the step was taken with</param>
public sealed record StepDone(long Step, long Steps, double Loss, double Rate, TimeSpan Eta) : TrainingEvent;

/// <summary>Scores on the held-out window: the base model, the EMA weights now, and bicubic upsampling.</summary>
public sealed record Validated(long Step, Score Base, Score Current, Score Bicubic) : TrainingEvent;

public sealed record CheckpointSaved(long Step, string Path) : TrainingEvent;
