namespace Humanloop.Server.Domain;

/// <summary>
/// The Beta posterior of a config's positive-feedback rate under a uniform prior:
/// Beta(1 + positives, 1 + negatives), where negatives are trials with feedback but no positive label.
/// </summary>
internal readonly record struct BetaPosterior(double Alpha, double Beta)
{
    public static BetaPosterior From(int positives, int trialsWithFeedback) =>
        new(1 + positives, 1 + Math.Max(0, trialsWithFeedback - positives));

    public double Mean => Alpha / (Alpha + Beta);

    /// <summary>The standard deviation of the distribution.</summary>
    public double Spread
    {
        get
        {
            var sum = Alpha + Beta;
            return Math.Sqrt(Alpha * Beta / (sum * sum * (sum + 1)));
        }
    }

    /// <summary>A draw, as the ratio of two Gamma draws.</summary>
    public double Sample(Random random)
    {
        var x = SampleGamma(Alpha, random);
        var y = SampleGamma(Beta, random);
        return x / (x + y);
    }

    /// <summary>Marsaglia and Tsang's method; valid for shape >= 1, which a Beta posterior here always has.</summary>
    private static double SampleGamma(double shape, Random random)
    {
        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x;
            double v;
            do
            {
                x = SampleStandardNormal(random);
                v = 1.0 + c * x;
            }
            while (v <= 0);

            v = v * v * v;
            var u = random.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    private static double SampleStandardNormal(Random random)
    {
        // Box-Muller; 1 - NextDouble() keeps the logarithm's argument in (0, 1].
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
