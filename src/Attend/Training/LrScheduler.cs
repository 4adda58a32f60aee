using Attend.Config;

namespace Attend.Training;

/// <summary>The scheduler's mutable state, saved in checkpoints.</summary>
internal sealed record SchedulerState(double Rate, int BadValidations, double Best);

/// <summary>
/// Learning-rate schedules. <c>none</c>: constant. <c>inverse_sqrt</c>: lr · step/warmup during warmup, then
/// lr · √(warmup/step) (Vaswani et al.). <c>plateau</c>: multiply by the factor after <c>plateau_patience</c>
/// validations whose metric did not improve (as torch's ReduceLROnPlateau), never below <c>min_lr</c>.
/// </summary>
internal sealed class LrScheduler(TrainingConfig config)
{
    public SchedulerState State { get; set; } = new(config.Lr, 0, double.NaN);

    /// <summary>The rate to use for update number <paramref name="step"/> (1-based).</summary>
    public double RateForStep(long step)
    {
        if (config.Schedule != LrSchedule.InverseSqrt) return State.Rate;
        double w = config.WarmupSteps;
        double r = step < w ? config.Lr * step / w : config.Lr * Math.Sqrt(w / step);
        return Math.Max(r, config.MinLr);
    }

    /// <summary>Records a validation score (higher is better); returns true when the rate was lowered.</summary>
    public bool OnValidation(double higherIsBetter)
    {
        if (config.Schedule != LrSchedule.Plateau) return false;
        var s = State;
        if (double.IsNaN(s.Best) || higherIsBetter > s.Best)
        {
            State = s with { Best = higherIsBetter, BadValidations = 0 };
            return false;
        }
        int bad = s.BadValidations + 1;
        if (bad < config.PlateauPatience)
        {
            State = s with { BadValidations = bad };
            return false;
        }
        State = s with { BadValidations = 0, Rate = Math.Max(s.Rate * config.PlateauFactor, config.MinLr) };
        return true;
    }
}
