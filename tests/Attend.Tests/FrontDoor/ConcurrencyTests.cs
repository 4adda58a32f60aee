// One TranslationModel shared by many threads gives each call what it gives alone.
namespace Attend.Tests.FrontDoor;

[Collection(FrontDoorCollection.Name)]
public class ConcurrencyTests(FrontDoorFixture fx)
{
    [Fact]
    public void Concurrent_calls_return_the_results_of_sequential_calls()
    {
        using var model = TranslationModel.Load(fx.Attn);
        // A mix of single texts and lists, greedy and beam, so calls of different shapes overlap.
        var calls = new List<(string[] Texts, TranslateOptions Options)>();
        for (int i = 0; i < FrontDoorFixture.Lines.Length; i++)
        {
            calls.Add(([FrontDoorFixture.Lines[i]], new TranslateOptions { Beam = 1 }));
            calls.Add(([FrontDoorFixture.Lines[i]], new TranslateOptions { Beam = 3, Alpha = 0.6 }));
            calls.Add((FrontDoorFixture.Lines[i..], new TranslateOptions { Beam = 2 + i % 3 }));
        }
        var expected = calls.Select(c => model.Translate(c.Texts, c.Options)).ToList();

        const int Rounds = 10;
        var actual = new IReadOnlyList<Translation>[Rounds * calls.Count];
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, start.ParticipantCount).Select(w => new Thread(() =>
        {
            start.SignalAndWait();
            for (int j = w; j < actual.Length; j += start.ParticipantCount)
                actual[j] = model.Translate(calls[j % calls.Count].Texts, calls[j % calls.Count].Options);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (int j = 0; j < actual.Length; j++)
        {
            var want = expected[j % calls.Count];
            Assert.Equal(want.Count, actual[j].Count);
            for (int i = 0; i < want.Count; i++)
            {
                Assert.Equal(want[i].Text, actual[j][i].Text);
                Assert.Equal(want[i].Score, actual[j][i].Score);
                Assert.Equal(want[i].TargetTokens, actual[j][i].TargetTokens);
                Assert.Equal(want[i].Attention!.SelectMany(r => r), actual[j][i].Attention!.SelectMany(r => r));
            }
        }
    }
}
