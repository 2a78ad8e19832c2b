using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using Humanloop.PowerShell.Commands;

namespace Humanloop
{
    /// <summary>The error fixtures that ship with the module; each answers any call with one error, as often as asked.</summary>
    public enum ReadyMadeFixture
    {
        /// <summary>429 with Retry-After: 1.</summary>
        RateLimited,

        /// <summary>429 with Retry-After: 3600, a hint the client does not sleep.</summary>
        QuotaExhausted,

        /// <summary>401 {"detail": "Invalid API key."}.</summary>
        Unauthorized,

        /// <summary>503, retried like any 5xx.</summary>
        ServiceUnavailable,

        /// <summary>422 at body.inputs.topic.</summary>
        ValidationError,
    }
}

namespace Humanloop.PowerShell.Infrastructure
{
    /// <summary>
    /// Where the ready-made fixtures live, and the rule that keeps recordings out of the module's folder:
    /// its files are replaced on upgrade and shared by every test, so a recording must never write there.
    /// </summary>
    internal static class ReadyMadeFixtures
    {
        /// <summary>The module's folder: the assembly sits in bin/&lt;framework&gt;/ below it.</summary>
        public static string ModuleFolder { get; } =
            Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(ReadyMadeFixtures).Assembly.Location)!, "..", ".."));

        /// <summary>The names -Fixture takes, for messages.</summary>
        public static string Names => string.Join(", ", Enum.GetNames(typeof(ReadyMadeFixture)));

        /// <summary>The shipped file of <paramref name="fixture"/>: its name in kebab case (RateLimited: fixtures/rate-limited.json).</summary>
        public static string PathOf(ReadyMadeFixture fixture)
        {
            var name = new StringBuilder();
            foreach (var character in fixture.ToString())
            {
                if (char.IsUpper(character) && name.Length > 0)
                {
                    name.Append('-');
                }

                name.Append(char.ToLowerInvariant(character));
            }

            return Path.Combine(ModuleFolder, "fixtures", name + ".json");
        }

        public static bool IsInsideModule(string fullPath)
        {
            var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            var folder = ModuleFolder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            return Path.GetFullPath(fullPath).StartsWith(folder, comparison);
        }

        /// <summary>
        /// A ready-made fixture always replays. Asking for another mode is an error; a mode from
        /// $env:HUMANLOOP_RECORDING_MODE is set for the test's own fixtures, so it is ignored with a warning.
        /// </summary>
        /// <exception cref="ArgumentException"><paramref name="given"/> is a mode other than Replay.</exception>
        public static RecordingMode ModeFor(PSCmdlet cmdlet, ReadyMadeFixture fixture, RecordingMode? given)
        {
            if (given is { } mode && mode != RecordingMode.Replay)
            {
                throw new ArgumentException($"The ready-made fixture {fixture} always replays; it cannot be used in {mode} mode. Record your own fixture with -Path instead.");
            }

            if (given is null && RecordingSessions.ResolveMode(null) is var fromEnvironment && fromEnvironment != RecordingMode.Replay)
            {
                cmdlet.WriteWarning($"The ready-made fixture {fixture} always replays; $env:{RecordingSessions.ModeVariable}={fromEnvironment} does not apply to it.");
            }

            return RecordingMode.Replay;
        }
    }
}
