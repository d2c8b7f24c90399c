using Actors.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Actors.Tests.Foundation;

/// <summary>
/// <c>MALLOC_ARENA_MAX</c>: the environment's value is what counts and is reported; without it the process
/// caps new arenas itself and warns. The effect on a real silo (one arena besides the main one) is checked
/// by tests/system/soak-test.sh, which reads the processes' memory maps.
/// </summary>
public sealed class MallocArenasTests
{
    [Fact]
    public void TheEnvironmentsValueIsReportedAndLeftToGlibc()
    {
        var before = Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX");
        try
        {
            Environment.SetEnvironmentVariable("MALLOC_ARENA_MAX", "3");
            var (level, text) = MallocArenas.Limit();
            Assert.Equal(LogLevel.Information, level);
            Assert.Equal("MALLOC_ARENA_MAX=3, from the environment", text);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MALLOC_ARENA_MAX", before);
        }
    }

    [Fact]
    public void WithoutAUsableVariableTheProcessCapsNewArenasAndWarns()
    {
        var before = Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX");
        try
        {
            Environment.SetEnvironmentVariable("MALLOC_ARENA_MAX", "0"); // glibc ignores 0, and so does the check
            var (level, text) = MallocArenas.Limit();
            Assert.Equal(LogLevel.Warning, level);
            Assert.StartsWith("MALLOC_ARENA_MAX is not set (or not a positive number): set MALLOC_ARENA_MAX=2", text);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MALLOC_ARENA_MAX", before);
        }
    }
}
