using System.Diagnostics;
using Attend.Config;
using Attend.Corpus;
using Attend.Model;
using Attend.Runs;
using Attend.Tensors;
using Attend.Tensors.Distributed;

namespace Attend.Training;

/// <summary>Why a run ended.</summary>
public enum StopReason
{
    /// <summary>All <c>training.epochs</c> done.</summary>
    Epochs,
    /// <summary><c>training.max_steps</c> updates done.</summary>
    MaxSteps,
    /// <summary><c>training.max_seconds</c> spent.</summary>
    MaxSeconds,
    /// <summary><c>training.patience</c> validations without improvement.</summary>
    EarlyStopping,
    /// <summary>Cancelled (Ctrl+C, or the cancellation token); the <c>last</c> checkpoint was written.</summary>
    Interrupted,
}

/// <summary>A progress report: position, recent loss, throughput, and the fraction of the budget done (for the ETA).</summary>
internal sealed record TrainProgress(int Epoch, long Step, double Loss, double TargetTokensPerSecond, double Fraction, double LearningRate);

/// <summary>What the trainer tells its caller: progress ticks, validations, and one-line notes.</summary>
internal interface ITrainingObserver
{
    void Progress(TrainProgress p);
    void Validated(ValidationResult v, bool isBest);
    void Note(string message);

    /// <summary>An observer that ignores everything (a run whose caller reads only its result).</summary>
    public static ITrainingObserver Silent { get; } = new SilentObserver();

    private sealed class SilentObserver : ITrainingObserver
    {
        public void Progress(TrainProgress p) { }
        public void Validated(ValidationResult v, bool isBest) { }
        public void Note(string message) { }
    }
}

internal sealed record TrainResult(StopReason Reason, long Steps, string RunDir, ValidationResult? Best, ValidationResult? Last);

/// <summary>
/// The training loop: batches in a seeded order, teacher-forced loss (label smoothing optional), backward,
/// global-norm clipping, an optimizer step at the scheduled rate; every <c>validate_every</c> updates a
/// validation and a checkpoint (<c>last</c>, and <c>best</c> when the metric improves), early stopping
/// after <c>patience</c> validations without improvement. Each step runs inside a <see cref="TensorScope"/>
/// so its buffers return to the pool. Cancellation (Ctrl-C) finishes the current step, writes <c>last</c>
/// and returns <see cref="StopReason.Interrupted"/>.
/// Given a communicator of several ranks (<see cref="DataParallel"/>), each rank trains on its share of every
/// batch and the gradients are summed before the update; the ranks share each validation, rank 0 alone reports,
/// logs and writes checkpoints, and the others follow its decisions (learning-rate changes, early stopping), so all replicas stay equal.
/// </summary>
internal sealed class Trainer
{
    private readonly RunConfig _config;
    private readonly TrainingData _data;
    private readonly ITrainingObserver _observer;

    public string RunDir { get; }
    public Seq2Seq Model { get; }
    private readonly IOptimizer _optimizer;
    private readonly LrScheduler _scheduler;
    private readonly Rng _rng;
    private TrainerState _state;
    private readonly DataParallel _ranks;

    public Trainer(RunConfig config, TrainingData data, string runDir, ITrainingObserver observer, Seq2Seq? model = null, ICommunicator? comm = null)
    {
        (_config, _data, RunDir, _observer) = (config, data, runDir, observer);
        var seedRng = new Rng(config.Seed);
        Model = model ?? Seq2Seq.Create(config.ModelFor(data.SourceVocab.Count, data.TargetVocab.Count), seedRng.NextUInt64());
        var named = Model.NamedParameters().ToList();
        _ranks = new DataParallel(comm ?? SingleProcess.Instance, named.Select(n => n.Param).ToList());
        var t = config.Training;
        _optimizer = t.Optimizer == OptimizerKind.Adam
            ? new AdamOptimizer(named, new Attend.Training.AdamOptions((float)t.Lr, (float)t.Beta1, (float)t.Beta2))
            : new Sgd(named, t.Lr, t.Momentum);
        _scheduler = new LrScheduler(t);
        _rng = new Rng(seedRng.NextUInt64());
        _state = new TrainerState { RngState = _rng.GetState(), LearningRate = t.Lr, Scheduler = _scheduler.State };
    }

    /// <summary>Continues from a checkpoint folder: weights, optimizer buffers, RNG, schedule and data position.</summary>
    public void RestoreFrom(string checkpointDir)
    {
        Checkpoint.LoadWeights(Model, Path.Combine(checkpointDir, "model.safetensors"));
        _state = RunCheckpoints.LoadTrainingState(checkpointDir, _optimizer);
        _rng.SetState(_state.RngState);
        _scheduler.State = _state.Scheduler;
        _optimizer.LearningRate = _state.LearningRate;
    }

    public long Step => _state.Step;

    public TrainResult Run(CancellationToken cancel = default)
    {
        var t = _config.Training;
        var clock = Stopwatch.StartNew();
        double elapsed0 = _state.ElapsedSeconds;
        double Elapsed() => elapsed0 + clock.Elapsed.TotalSeconds;
        long updatesPerEpoch = Math.Max(1, EstimatedBatchesPerEpoch() / t.Accumulate);
        long budget = t.MaxSteps > 0 ? Math.Min(t.MaxSteps, t.Epochs * updatesPerEpoch) : t.Epochs * updatesPerEpoch;
        ValidationResult? best = null, last = null;
        long validatedAt = -1, savedAt = -1;
        double lossSum = 0;
        long lossCount = 0, tokens = 0;
        var window = Stopwatch.StartNew();
        StopReason reason = StopReason.Epochs;
        if (_ranks.Size > 1) _ranks.BroadcastParameters();
        double allReduceMs = 0;

        for (int epoch = _state.Epoch; epoch < t.Epochs && reason == StopReason.Epochs; epoch++)
        {
            foreach (var (shard, group, batchEnd) in Updates(epoch, epoch == _state.Epoch ? _state.BatchInEpoch : 0))
            {
                // 2 = interrupted, 1 = out of time. Several ranks end together or not at all (the most urgent reason of any
                // rank): a rank that ended alone would leave the others waiting in a collective.
                int halt = cancel.IsCancellationRequested ? 2 : t.MaxSeconds > 0 && Elapsed() >= t.MaxSeconds ? 1 : 0;
                if (_ranks.Size > 1) halt = _ranks.Max(halt);
                if (halt == 2) { reason = StopReason.Interrupted; break; }
                if (t.MaxSteps > 0 && _state.Step >= t.MaxSteps) { reason = StopReason.MaxSteps; break; }
                if (halt == 1) { reason = StopReason.MaxSeconds; break; }

                double loss = TrainStep(shard, group, out long batchTokens);
                _state = _state with { Step = _state.Step + 1, Epoch = epoch, BatchInEpoch = batchEnd };
                lossSum += loss; lossCount++; tokens += batchTokens; allReduceMs += _ranks.Gradients.LastMilliseconds;
                if (_state.Step % t.LogEvery == 0 || _state.Step == 1)
                {
                    double fraction = t.MaxSeconds > 0 ? Math.Max(Elapsed() / t.MaxSeconds, (double)_state.Step / budget) : (double)_state.Step / budget;
                    var p = new TrainProgress(epoch + 1, _state.Step, lossSum / lossCount, tokens / Math.Max(window.Elapsed.TotalSeconds, 1e-9),
                        Math.Min(fraction, 1), _optimizer.LearningRate);
                    _observer.Progress(p);
                    if (_ranks.IsLeader) LogTrain(p, Elapsed(), allReduceMs / lossCount);
                    (lossSum, lossCount, tokens, allReduceMs) = (0, 0, 0, 0);
                    window.Restart();
                }
                if (_state.Step % t.ValidateEvery == 0)
                {
                    (last, bool stop) = ValidateAndSave(Elapsed(), ref best);
                    validatedAt = savedAt = _state.Step;
                    if (stop) { reason = StopReason.EarlyStopping; break; }
                }
            }
            if (reason == StopReason.Epochs && epoch + 1 < t.Epochs)
                _state = _state with { Epoch = epoch + 1, BatchInEpoch = 0 };
        }

        // Training is over: what follows (the last validation, the caller's translation) decodes, with buffers of
        // other sizes than the training steps' that the pool holds, and reads no gradient.
        Model.ZeroGrad(setToNone: true);
        BufferPool.Shared.Release();
        if (reason == StopReason.Interrupted)
        {
            if (savedAt != _state.Step && _ranks.IsLeader) Save(Elapsed(), isBest: false);
            _observer.Note($"interrupted at step {_state.Step}: checkpoint written to {Path.Combine(RunDir, RunDirectory.Last)}");
        }
        else if (validatedAt != _state.Step && _state.Step > 0)
            last = ValidateAndSave(Elapsed(), ref best).Result;
        return new TrainResult(reason, _state.Step, RunDir, best, last);
    }

    /// <summary>A training line of metrics.jsonl; a run of several ranks adds the mean all-reduce time per update.</summary>
    private void LogTrain(TrainProgress p, double elapsed, double allReduceMs)
    {
        object line = _ranks.Size == 1
            ? new
            {
                kind = "train", epoch = p.Epoch, step = p.Step, loss = p.Loss, lr = p.LearningRate, tgt_tokens_per_s = p.TargetTokensPerSecond,
                elapsed_s = elapsed, ranks = 1,
            }
            : new
            {
                kind = "train", epoch = p.Epoch, step = p.Step, loss = p.Loss, lr = p.LearningRate, tgt_tokens_per_s = p.TargetTokensPerSecond,
                elapsed_s = elapsed, ranks = _ranks.Size, allreduce_ms = allReduceMs,
            };
        MetricsLog.Append(RunDir, line);
    }

    /// <summary>
    /// The updates of one epoch from batch <paramref name="startBatch"/> on: the epoch's <see cref="BatchPlan"/>,
    /// one shard open at a time, its batches in groups of <c>training.accumulate</c> (a group never spans two
    /// shards), each with the index in the epoch of the batch after it (the position a checkpoint records).
    /// </summary>
    private IEnumerable<(IPairShard Shard, List<int[]> Group, int BatchEnd)> Updates(int epoch, int startBatch)
    {
        var t = _config.Training;
        var plan = new BatchPlan(_config.Seed, t.BatchSize, t.BatchType);
        int before = 0;
        foreach (int k in plan.ShardOrder(_data.Train.ShardCount, epoch))
        {
            using var shard = _data.Train.Open(k);
            var batches = plan.ShardBatches(k, shard.Count, epoch, shard.SourceLength, shard.TargetLength);
            for (int j = 0; j < batches.Count; j += t.Accumulate)
            {
                int end = Math.Min(j + t.Accumulate, batches.Count);
                if (before + end > startBatch) yield return (shard, batches.GetRange(j, end - j), before + end);
            }
            before += batches.Count;
        }
    }

    private long EstimatedBatchesPerEpoch()
    {
        var t = _config.Training;
        var train = _data.Train;
        return t.BatchType == BatchType.Sentences
            ? (train.Count + t.BatchSize - 1) / t.BatchSize
            : Math.Max(1, (train.TargetTokens + train.Count) / t.BatchSize);
    }

    private double TrainStep(IPairShard shard, List<int[]> group, out long targetTokens)
    {
        var t = _config.Training;
        TrainingHooks.FailIfAsked(_ranks.Rank, _state.Step + 1);
        using var scope = TensorScope.Begin();
        Model.ZeroGrad(setToNone: true); // as the PyTorch reference: gradients exist only from the backward to the step
        double value;
        if (_ranks.Size == 1)
        {
            var batches = group.Select(indices => MakeBatch(shard, indices)).ToList();
            var counts = batches.Select(b => (long)b.TargetOut.Count(id => id != Model.Config.PadId)).ToList();
            targetTokens = counts.Sum();
            value = GradientStep.Accumulate(Model, batches, counts, new ForwardOptions(_rng, t.TeacherForcing), t.LabelSmoothing);
        }
        else
        {
            // Every rank counts the whole update's target tokens itself (each pair's tokens and its </s>): the weight of
            // its own part's loss, so the summed gradient is that of the token-mean loss over all the pairs.
            targetTokens = group.Sum(batch => batch.Sum(i => (long)shard.Pair(i).Target.Length + 1));
            var batches = group.Select(_ranks.PartOf).Where(part => part.Length > 0).Select(part => MakeBatch(shard, part)).ToList();
            var counts = batches.Select(b => (long)b.TargetOut.Count(id => id != Model.Config.PadId)).ToList();
            // Dropout and teacher forcing draw from a stream of this rank's own, forked from the shared generator, which
            // every rank advances alike (so a checkpoint's generator state is every rank's).
            var rng = new Rng(_rng.NextUInt64() + (ulong)_ranks.Rank * 0x9E3779B97F4A7C15UL);
            double local = GradientStep.Accumulate(Model, batches, counts, new ForwardOptions(rng, t.TeacherForcing), t.LabelSmoothing, targetTokens);
            value = _ranks.Gradients.Sum(local);
        }
        if (_state.Step == 0 && _ranks.IsLeader) TrainingHooks.DumpGradients(Model);
        if (t.ClipGradNorm > 0) GradClip.ClipGradNorm(Model.Parameters(), t.ClipGradNorm);
        _optimizer.LearningRate = _scheduler.RateForStep(_state.Step + 1);
        _optimizer.Step();
        return value;
    }

    private Seq2SeqBatch MakeBatch(IPairShard shard, int[] indices)
    {
        var pairs = indices.Select(shard.Pair).ToList();
        var m = Model.Config;
        return Seq2SeqBatch.FromPairs(pairs.Select(p => p.Source).ToList(), pairs.Select(p => p.Target).ToList(), m.PadId, m.BosId, m.EosId);
    }

    /// <summary>
    /// A validation shared by the ranks (each scores a block of the dev set, rank 0 gathers) and its consequences on
    /// every rank: the replicas' checksums compared, rank 0's score shared, so the schedule and early stopping decide
    /// alike everywhere; rank 0 reports, logs and saves.
    /// </summary>
    private (ValidationResult? Result, bool Stop) ValidateAndSave(double elapsed, ref ValidationResult? best)
    {
        var t = _config.Training;
        if (_ranks.Size > 1) _ranks.CheckReplicasEqual(_state.Step);
        var v = Validator.Run(Model, _data, _data.Dev, _state.Step, t.PrintSamples, Math.Max(t.BatchSize, 64), _ranks.Comm);
        double score = v is null ? double.NaN : t.EarlyStoppingMetric == StopMetric.Bleu ? v.Bleu : -v.Loss;
        if (_ranks.Size > 1) score = _ranks.FromLeader(score);
        bool isBest = double.IsNaN(_state.BestScore) || score > _state.BestScore;
        if (_scheduler.OnValidation(score)) _observer.Note($"learning rate lowered to {_scheduler.State.Rate:G3}");
        _state = isBest
            ? _state with { BestScore = score, BestStep = _state.Step, BadValidations = 0 }
            : _state with { BadValidations = _state.BadValidations + 1 };
        if (v is not null)
        {
            if (isBest) best = v;
            _observer.Validated(v, isBest);
            MetricsLog.Append(RunDir, new
            {
                kind = "valid", step = v.Step, loss = v.Loss, ppl = v.Perplexity, bleu = v.Bleu, exact_match = v.ExactMatch, best = isBest, ranks = _ranks.Size,
            });
            Save(elapsed, isBest);
        }
        bool stop = t.Patience > 0 && _state.BadValidations >= t.Patience;
        if (stop) _observer.Note($"early stopping: {t.Patience} validations without improvement (best at step {_state.BestStep})");
        return (v, stop);
    }

    private void Save(double elapsed, bool isBest)
    {
        _state = _state with
        {
            RngState = _rng.GetState(),
            OptimizerSteps = _optimizer.StepCount,
            LearningRate = _optimizer.LearningRate,
            Scheduler = _scheduler.State,
            ElapsedSeconds = elapsed,
        };
        var dir = RunCheckpoints.Save(RunDir, Model, _optimizer, _state, _config, _data.SourceVocab, _data.TargetVocab, _data.Text.Bpe);
        if (isBest) RunDirectory.Link(RunDir, RunDirectory.Best, dir);
        RunDirectory.Link(RunDir, RunDirectory.Last, dir);
        RunCheckpoints.Prune(RunDir, _config.Training.KeepLast);
    }
}
