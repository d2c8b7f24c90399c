using System.CommandLine;
using System.Globalization;

namespace Actors.Bench;

/// <summary>
/// The command line's building blocks (System.CommandLine). Every option is <c>--name value</c>, named as
/// <c>scripts/bench.sh</c> passes it; an unknown option, a missing required one or a value that does not
/// parse is refused with a message and exit code 1.
/// </summary>
internal static class Cli
{
    public static Option<T> Optional<T>(string name, string description, T fallback) =>
        new(name) { Description = description, DefaultValueFactory = _ => fallback };

    public static Option<T> Required<T>(string name, string description) =>
        new(name) { Description = description, Required = true };

    /// <summary>A comma-separated list of process ids (<c>--silo-pids 123,456</c>).</summary>
    public static Option<IReadOnlyList<int>> Pids(string name, string description, bool required) => new(name)
    {
        Description = description,
        Required = required,
        DefaultValueFactory = _ => [],
        CustomParser = result =>
        {
            var pids = new List<int>();
            foreach (var part in result.Tokens.Single().Value.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    result.AddError($"{name}: '{part}' is not a process id");
                    return [];
                }
                pids.Add(pid);
            }
            return pids;
        },
    };
}
