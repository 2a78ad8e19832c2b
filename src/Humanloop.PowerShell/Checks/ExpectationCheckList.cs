using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace Humanloop.PowerShell.Checks;

/// <summary>What the two faces share in turning a test case (or written expectations) into checks.</summary>
internal static class ExpectationCheckList
{
    /// <exception cref="ArgumentException">An expectation is malformed, or the case has none.</exception>
    public static IReadOnlyList<(OutputCheck Check, bool Not)> Build(PSCmdlet cmdlet, TestCase? testCase, string[] written, object[]? tools, bool negateAll)
    {
        IReadOnlyList<Expectation> expectations;
        try
        {
            expectations = testCase?.Expectations ?? written.SelectMany(text => Humanloop.Expectation.ParseList(text)).ToList();
        }
        catch (FormatException malformed)
        {
            throw new ArgumentException(malformed.Message, malformed);
        }

        if (expectations.Count == 0)
        {
            throw new ArgumentException(testCase is null ? "No expectation was given." : $"The test case '{testCase.Name}' ({testCase.Source}) has no expectations.");
        }

        var offered = tools is null ? null : CheckParameters.Tools(tools);
        return expectations.Select(expectation =>
        {
            var (check, not) = ExpectationChecks.For(expectation, offered, path => cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
            return (check, not != negateAll);
        }).ToList();
    }
}
