// attend: the command-line face of Attend. One class per verb under Commands/; this file is the table of contents.
using System.CommandLine;
using Attend.Cli.Commands;
using Attend.Tensors.Distributed;

// mpirun gives a rank's stdout a pseudo-terminal; .NET would put that terminal in keypad mode, writing an escape
// sequence into the output (translations included). A rank draws no progress bar, so it needs no terminal features.
if (Communicator.UnderLauncher) Environment.SetEnvironmentVariable("TERM", "dumb");

var root = new RootCommand("Attend: neural machine translation with attention, in C#.")
{
    VersionCommand.Build(),
    VocabCommand.Build(),
    BpeCommand.Build(),
    TokenizeCommand.Build(),
    EvaluateCommand.Build(),
    PlotCommand.Build(),
    TrainCommand.Build(),
    DemoCommand.Build(),
    TranslateCommand.Build(),
    AverageCommand.Build(),
    QuantizeCommand.Build(),
    PerplexityCommand.Build(),
    ServeCommand.Build(),
    DataCommand.Build(),
    PrepareCommand.Build(),
};
root.Options.Add(GlobalOptions.Verbose);
return CommandGuard.Invoke(root, args);
