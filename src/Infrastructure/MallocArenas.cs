using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Actors.Infrastructure;

/// <summary>
/// glibc's malloc arenas. glibc gives threads arenas of their own, up to 8 per core, and an arena keeps its
/// high-water mark: in the soak (docs/RELIABILITY.md) a silo's 15 mapped arenas grew from 18 to 63 MiB of
/// resident memory in 11 minutes while the managed heap stayed flat; with <c>MALLOC_ARENA_MAX=2</c> the main
/// heap and its one other arena held 28 MiB. glibc reads that variable when the process starts, before the
/// runtime makes its threads, so it has to come from the environment: <c>scripts/stack.sh</c> sets it for
/// every silo and API it starts, and the README says to set it wherever the processes are started otherwise.
/// When it is not set, <c>Main</c> calls <c>mallopt(M_ARENA_MAX)</c> first thing and logs a warning. That call
/// only helps if glibc has not yet fixed its limit, which it does once the runtime's threads have asked for
/// more than 8 arenas: here it stopped new arenas but kept the 9 already made; on a larger machine it may do
/// nothing.
/// </summary>
public static class MallocArenas
{
    public const int Recommended = 2;
    private const int MArenaMax = -8; // M_ARENA_MAX in glibc's malloc.h

    /// <summary>Caps the arenas if the environment did not; returns what to log at start-up.</summary>
    public static (LogLevel Level, string Text) Limit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (LogLevel.Debug, "unchanged (not Linux)");
        }
        var fromEnvironment = Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX");
        if (int.TryParse(fromEnvironment, out var limit) && limit > 0)
        {
            return (LogLevel.Information, $"MALLOC_ARENA_MAX={limit}, from the environment");
        }
        try
        {
            return mallopt(MArenaMax, Recommended) == 1
                ? (LogLevel.Warning, $"MALLOC_ARENA_MAX is not set (or not a positive number): set MALLOC_ARENA_MAX={Recommended} in the environment; capped at start-up instead, which keeps the arenas the runtime made before it, and may do nothing")
                : (LogLevel.Warning, "MALLOC_ARENA_MAX is not set, and mallopt refused the limit");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return (LogLevel.Debug, "unchanged (the C library has no mallopt)");
        }
    }

    // DllImport, not LibraryImport: two ints need no marshalling code, and LibraryImport would make the
    // project compile unsafe code for this one call.
    [DllImport("libc", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int mallopt(int param, int value);
}
