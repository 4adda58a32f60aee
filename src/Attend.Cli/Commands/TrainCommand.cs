using System.CommandLine;
using System.Runtime.InteropServices;
using Attend.Config;
using Attend.Tensors.Distributed;
using Attend.Training;
using Spectre.Console;

namespace Attend.Cli.Commands;

/// <summary>`attend train CONFIG.yaml [--set key=value…] [--resume] [--quiet]`.</summary>
internal static class TrainCommand
{
    public static Command Build()
    {
        var cmd = new Command("train", "Train a model from a YAML config (see configs/README.md); Ctrl-C writes a checkpoint and stops.");
        var config = new Argument<string>("CONFIG") { Description = "The run's YAML config" };
        var set = new Option<string[]>("--set") { Description = "Override a key, e.g. --set training.lr=0.001 (repeatable)" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run from its last checkpoint, exactly" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bar: validations and notes only, on stderr" };
        var distributed = DistributedOption.Create();
        cmd.Arguments.Add(config);
        cmd.Options.Add(set);
        cmd.Options.Add(resume);
        cmd.Options.Add(quiet);
        cmd.Options.Add(distributed);
        cmd.SetAction(pr => CommandGuard.Run(pr, "train", (output, err) =>
        {
            var cfg = ConfigLoader.LoadFile(pr.GetValue(config)!, pr.GetValue(set) ?? []);
            var comm = DistributedOption.Open(pr.GetValue(distributed));
            if (comm.Size > 1)
            {
                // Not disposed on an exception: MPI_Finalize would wait for the other ranks, and CommandGuard aborts them instead.
                int code = TrainRanks(cfg, pr.GetValue(resume), comm, output, new LineObserver(err, pr.GetValue(quiet)));
                comm.Dispose();
                return code;
            }
            bool plain = pr.GetValue(quiet) || Console.IsErrorRedirected || Console.IsOutputRedirected;
            var result = Train(cfg, pr.GetValue(resume), plain ? new LineObserver(err, pr.GetValue(quiet)) : null);
            output.WriteLine($"{result.Reason}: {result.Steps} steps; best {result.Best?.Step} (bleu {result.Best?.Bleu:F2}, loss {result.Best?.Loss:F4}); run in {result.RunDir}");
            return result.Reason == StopReason.Interrupted ? CommandGuard.Interrupted : 0;
        }));
        return cmd;
    }

    /// <summary>
    /// One rank of a data-parallel run (`mpirun -np N attend train`): rank 0 reports on <paramref name="observer"/>
    /// and prints the result, the others stay silent. No signal handling: mpirun ends the ranks on Ctrl-C, and the
    /// run continues from its last checkpoint with --resume.
    /// </summary>
    private static int TrainRanks(RunConfig cfg, bool resume, ICommunicator comm, TextWriter output, ITrainingObserver observer)
    {
        var result = TrainingRun.Start(cfg, resume, comm.Rank == 0 ? observer : ITrainingObserver.Silent, comm).Run();
        if (comm.Rank == 0)
            output.WriteLine($"{result.Reason}: {result.Steps} steps on {comm.Size} ranks; best {result.Best?.Step} " +
                             $"(bleu {result.Best?.Bleu:F2}, loss {result.Best?.Loss:F4}); run in {result.RunDir}");
        return 0;
    }

    /// <summary>Runs a training with SIGINT/SIGTERM turned into a clean stop (checkpoint, then return); a null observer shows a progress bar.</summary>
    public static TrainResult Train(RunConfig cfg, bool resume, ITrainingObserver? observer)
    {
        using var cts = new CancellationTokenSource();
        // Ctrl-C (SIGINT, also outside a terminal) and SIGTERM finish the current step and write a checkpoint.
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; cts.Cancel(); });
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; cts.Cancel(); });

        if (observer is not null)
            return TrainingRun.Start(cfg, resume, observer).Run(cts.Token);
        TrainResult? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: 1000);
                var trainer = TrainingRun.Start(cfg, resume, new ProgressObserver(task, AnsiConsole.Console));
                result = trainer.Run(cts.Token);
                task.Value = task.MaxValue;
            });
        return result!;
    }
}
