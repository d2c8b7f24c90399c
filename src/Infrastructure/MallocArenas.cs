using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Actors.Infrastructure;

/// <summary>
/// glibc's malloc arenas. glibc gives threads arenas of their own, up to 8 per core, and an arena keeps its
/// high-water mark: in the soak (docs/RELIABILITY.md) a silo's 16 arenas grew from 23 to 68 MiB of resident
/// memory in 11 minutes while the managed heap stayed flat; with <c>MALLOC_ARENA_MAX=2</c> they held 28 MiB.
/// glibc reads that variable when the process starts, before the runtime makes its threads, so it has to
/// come from the environment: <c>scripts/stack.sh</c> sets it for every silo and API it starts, and the
/// README says to set it wherever the processes are started otherwise. When it is not set, <c>Main</c> calls
/// <c>mallopt(M_ARENA_MAX)</c> first thing, which stops new arenas but keeps the ones the runtime already
/// made (9 in a silo here), and logs a warning saying so.
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
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return (LogLevel.Information, $"MALLOC_ARENA_MAX={fromEnvironment}, from the environment");
        }
        try
        {
            return mallopt(MArenaMax, Recommended) == 1
                ? (LogLevel.Warning, $"MALLOC_ARENA_MAX is not set: no new arena after start-up, but those the runtime made before it stay; set MALLOC_ARENA_MAX={Recommended} in the environment")
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
