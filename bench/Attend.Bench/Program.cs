// The benchmark entry point: `dotnet run -c Release --project bench/Attend.Bench -- <suite> [options]`.
using Attend.Bench;

return BenchMain.Run(args);
