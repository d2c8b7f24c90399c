using Actors.Contracts.Jobs;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Grains.Jobs;

/// <summary>The one place job types are registered: every <see cref="IJobHandler"/> class of an assembly.</summary>
public static class JobHandlerRegistry
{
    /// <summary>Registers every concrete <see cref="IJobHandler"/> of <paramref name="assembly"/> (a singleton each).</summary>
    public static IServiceCollection AddJobHandlers(this IServiceCollection services, Assembly assembly)
    {
        foreach (var type in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IJobHandler).IsAssignableFrom(t)))
        {
            services.AddSingleton(typeof(IJobHandler), type);
        }
        return services;
    }

    /// <summary>Registers one handler (a type from another assembly, such as a test's).</summary>
    public static IServiceCollection AddJobHandler<T>(this IServiceCollection services) where T : class, IJobHandler =>
        services.AddSingleton<IJobHandler, T>();
}

/// <summary>Answers the handlers this silo registered; a stateless worker on every silo.</summary>
[Orleans.Concurrency.StatelessWorker]
public sealed class JobTypesGrain(IEnumerable<IJobHandler> handlers) : Grain, IJobTypesGrain
{
    private readonly IReadOnlyList<JobTypeInfo> _types = handlers.Select(h => new JobTypeInfo(h.Type, h.ClientSubmittable))
        .DistinctBy(t => t.Type).OrderBy(t => t.Type, StringComparer.Ordinal).ToList();

    public Task<IReadOnlyList<JobTypeInfo>> ListAsync() => Task.FromResult(_types);
}
