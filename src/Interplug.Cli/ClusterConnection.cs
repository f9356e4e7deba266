using System.Net;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Interplug.Cli;

/// <summary>
/// The membership a <c>--cluster</c> value names: how silos find each other and clients find
/// the silos' gateways.
/// </summary>
internal abstract record ClusterConnection
{
    private const string Localhost = "localhost";
    private const string RedisScheme = "redis";

    /// <summary>The port Redis listens on unless <c>redis://HOST:PORT</c> names another.</summary>
    public const int DefaultRedisPort = 6379;

    /// <summary>Every form <c>--cluster</c> takes, for messages and help.</summary>
    public const string Forms = "localhost[:PORT] or redis://HOST[:PORT]";

    /// <summary>Reads <c>localhost</c>, <c>localhost:PORT</c> or <c>redis://HOST[:PORT]</c>.</summary>
    /// <exception cref="CliUsageException">Any other text.</exception>
    public static ClusterConnection Parse(string text)
    {
        if (text == Localhost)
            return new LocalhostCluster(new IPEndPoint(IPAddress.Loopback, ClusterOptions.DefaultPrimaryPort), [ClusterOptions.DefaultGatewayPort]);
        if (text.StartsWith(Localhost + ":", StringComparison.Ordinal))
            return new LocalhostCluster(new IPEndPoint(IPAddress.Loopback, ClusterOptions.Port(text[(Localhost.Length + 1)..], "--cluster")), [ClusterOptions.DefaultGatewayPort]);
        if (text.StartsWith(RedisScheme + "://", StringComparison.Ordinal))
            return ParseRedis(text);
        throw new CliUsageException($"--cluster: expected {Forms}, got \"{text}\"");
    }

    private static RedisCluster ParseRedis(string text)
    {
        // Uri checks the host and port; anything past them (a path, a query, credentials) is not a form this CLI takes.
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.HostNameType == UriHostNameType.Unknown
            || uri.UserInfo.Length > 0 || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || text.EndsWith('/'))
            throw new CliUsageException($"--cluster: expected redis://HOST[:PORT], got \"{text}\"");
        var port = uri.IsDefaultPort ? DefaultRedisPort : uri.Port;
        if (port is < 1 or > IPEndPoint.MaxPort)
            throw new CliUsageException($"--cluster: expected a port between 1 and {IPEndPoint.MaxPort}, got \"{text}\"");
        return new RedisCluster(uri.IdnHost, port);
    }

    /// <summary>Makes a silo a member of this cluster, serving silos on <paramref name="siloPort"/> and clients on <paramref name="gatewayPort"/>.</summary>
    public abstract void Join(ISiloBuilder silo, int siloPort, int gatewayPort);

    /// <summary>Makes a client of this cluster.</summary>
    public abstract void Join(IClientBuilder client);

    /// <summary>What a client reaches the cluster through, for the one line that says it could not.</summary>
    public abstract string Entrance { get; }

    /// <summary>Why joining the cluster failed, in words about the cluster rather than the library that threw.</summary>
    public virtual string Explain(Exception failure) => failure.Message;
}

/// <summary>
/// Orleans' development clustering on this machine: the silo listening on <paramref name="Primary"/>
/// keeps the membership, the others join it, and a client connects to the silos whose gateways
/// listen on <paramref name="GatewayPorts"/> on loopback.
/// </summary>
internal sealed record LocalhostCluster(IPEndPoint Primary, IReadOnlyList<int> GatewayPorts) : ClusterConnection
{
    public override void Join(ISiloBuilder silo, int siloPort, int gatewayPort) => silo.UseLocalhostClustering(siloPort, gatewayPort, Primary);

    public override void Join(IClientBuilder client) => client.UseLocalhostClustering([.. GatewayPorts]);

    public override string Entrance => $"the cluster's gateways on ports {string.Join(", ", GatewayPorts)}";
}

/// <summary>
/// Membership kept in Redis at <paramref name="Host"/>:<paramref name="Port"/>: silos register there
/// and clients read the gateways from it, so no silo is special. Silos advertise the loopback
/// address when Redis is on loopback (a cluster on one machine), and otherwise the machine's
/// address Orleans picks.
/// </summary>
internal sealed record RedisCluster(string Host, int Port) : ClusterConnection
{
    /// <summary>How long connecting to Redis may take before a silo or client gives up.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public override void Join(ISiloBuilder silo, int siloPort, int gatewayPort)
    {
        silo.UseRedisClustering(options => options.ConfigurationOptions = Redis());
        silo.Configure<EndpointOptions>(endpoints =>
        {
            endpoints.SiloPort = siloPort;
            endpoints.GatewayPort = gatewayPort;
            if (IsLoopback)
                endpoints.AdvertisedIPAddress = IPAddress.Loopback;
        });
    }

    public override void Join(IClientBuilder client) => client.UseRedisClustering(options => options.ConfigurationOptions = Redis());

    public override string Entrance => "the cluster";

    /// <summary>StackExchange.Redis' own message advises retrying for ever; this says which Redis did not answer and for how long it was tried.</summary>
    public override string Explain(Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
            if (e is RedisConnectionException redis)
                return $"Redis at {Host}:{Port} does not answer ({redis.FailureType}; tried for at most {ConnectTimeout.TotalSeconds:0} s)";
        return base.Explain(failure);
    }

    private bool IsLoopback => Host == "localhost" || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>One connection attempt, bounded: a Redis that does not answer fails the start instead of being retried for ever.</summary>
    private ConfigurationOptions Redis() => new()
    {
        EndPoints = { { Host, Port } },
        AbortOnConnectFail = true,
        ConnectRetry = 1,
        ConnectTimeout = (int)ConnectTimeout.TotalMilliseconds,
    };
}
