using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Smpp;
using Taifa.Grains.Telemetry;
using Taifa.Silo.Hosting;
using Taifa.Silo.Intake;
using Taifa.Silo.Options;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Smpp;

/// <summary>
/// The session that asks to bind: where it comes from, the host the registry calls back, and the slot it holds. The slot
/// is set the moment it is taken, before the second password check, so an unbind of the account that the registry
/// sends meanwhile finds the session.
/// </summary>
internal interface ISmppBindingHolder
{
    Guid Id { get; }

    string Remote { get; }

    IPAddress? Source { get; }

    ISmppSessionHost Host { get; }

    BoundSession? Binding { get; set; }
}

/// <summary>What the bind decision says: the bind's command_status, and whether to close once it is answered.</summary>
internal readonly record struct SmppBindDecision(CommandStatus Status, bool Close)
{
    public static SmppBindDecision Refused(bool close = false) => new(CommandStatus.BindFailed, close);
}

/// <summary>
/// The bind decision of the SMPP server, in one place and without a socket: lock-outs, the password, a bind slot in
/// the account's registry. The session only turns the decision into bind_resp and its state.
/// </summary>
public sealed partial class SmppBindAuthenticator(
    IGrainFactory grains, AddressLockouts lockouts, VanishedSilos vanished, IOptions<TaifaOptions> options, ILocalSiloDetails silo,
    TimeProvider time, ILogger<SmppBindAuthenticator> logger)
{
    /// <summary>How long a bind waits for the system_id lock-out before going on without it (see <see cref="SystemIdLockedOut"/>).</summary>
    internal static readonly TimeSpan LockoutPatience = TimeSpan.FromSeconds(1);

    private const string SmppChannel = "smpp";

    private readonly ILogger _logger = logger;
    private readonly LoginLimit _systemIdLimit = options.Value.Security.SystemIdLimit;
    private readonly int _maxBindsPerAccount = options.Value.Smpp.MaxBindsPerAccount;
    private readonly string _silo = silo.SiloAddress.ToString();

    /// <summary>
    /// Lock-outs first (the address on this silo, then the system_id cluster-wide), so a locked-out guesser never reaches a
    /// password check. Then password, a bind slot, and the password once more: a credential change or suspension that
    /// lands while the slot is being taken either fails the second check or finds the slot in the registry and unbinds it.
    /// Each grain call is repeated while its silo has vanished, so a silo's death delays a bind instead of refusing it.
    /// </summary>
    internal async Task<SmppBindDecision> AuthenticateAsync(BindRequest bind, SmppBindType bindType, ISmppBindingHolder attempt)
    {
        var source = attempt.Source;
        if (lockouts.IsLockedOut(source))
        {
            LogBindRefused(attempt.Id, attempt.Remote, bind.SystemId, "address locked out after repeated failed logins");
            return SmppBindDecision.Refused(close: true);
        }

        try
        {
            var lockout = grains.SmppSystemIdLockout(bind.SystemId);
            if (await SystemIdLockedOut(lockout, bind.SystemId))
            {
                LogBindRefused(attempt.Id, attempt.Remote, bind.SystemId, "system_id locked out after repeated failed binds");
                return SmppBindDecision.Refused(close: true);
            }

            var owner = await vanished.Call(() => grains.SmppUsername(bind.SystemId).Owner());
            if (owner is not { } accountId)
            {
                LogBindRefused(attempt.Id, attempt.Remote, bind.SystemId, "unknown system_id");
                return await GuessFailed(bind.SystemId, lockout, attempt);
            }

            var account = grains.GetGrain<IAccountGrain>(accountId);
            var check = await vanished.Call(() => account.CheckSmppPassword(bind.SystemId, bind.Password, source));
            if (check != TaifaStatus.Success)
            {
                LogBindRefused(attempt.Id, attempt.Remote, bind.SystemId, check.Description());
                return check switch
                {
                    TaifaStatus.InvalidSmppCredentials => await GuessFailed(bind.SystemId, lockout, attempt),

                    // No password was tried, so only the address is charged: nobody outside the list can lock the account's own binds out.
                    TaifaStatus.AddressNotAllowed => SmppBindDecision.Refused(lockouts.Failed(source, SmppChannel)),
                    _ => SmppBindDecision.Refused(),
                };
            }

            var binding = new SmppBinding(attempt.Id, bindType, _silo, attempt.Host);
            var registry = grains.GetGrain<ISmppBindRegistryGrain>(accountId);
            if (!await vanished.Call(() => registry.TryBind(binding, _maxBindsPerAccount)))
            {
                LogBindRefused(attempt.Id, attempt.Remote, bind.SystemId, $"account already holds {_maxBindsPerAccount} binds");
                return SmppBindDecision.Refused();
            }

            attempt.Binding = new BoundSession(accountId, binding);
            check = await vanished.Call(() => account.CheckSmppPassword(bind.SystemId, bind.Password, source));
            if (check == TaifaStatus.Success) return new SmppBindDecision(CommandStatus.Ok, false);

            await ReleaseAsync(attempt);
            LogBindRefused(attempt.Id, attempt.Remote, bind.SystemId, check.Description());
            return SmppBindDecision.Refused();
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException)
        {
            LogBindError(attempt.Id, bind.SystemId, Failures.Reason(exception));
            await ReleaseAsync(attempt);
            return new SmppBindDecision(CommandStatus.SystemError, false);
        }
    }

    /// <summary>Frees the bind slot of a session that is closing (or whose bind was refused after taking it), if it holds one.</summary>
    internal async Task ReleaseAsync(ISmppBindingHolder holder)
    {
        if (holder.Binding is not { } bound) return;
        holder.Binding = null;
        try
        {
            await grains.GetGrain<ISmppBindRegistryGrain>(bound.AccountId).Unbound(bound.Binding.SessionId);
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException)
        {
            // The registry forgets the session by itself once this silo stops renewing it.
            LogReleaseFailed(bound.Binding.SessionId, bound.AccountId, Failures.Reason(exception));
        }
    }

    /// <summary>A wrong password or unknown system_id: counted against the address and the system_id; either may lock out.</summary>
    private async Task<SmppBindDecision> GuessFailed(string systemId, ILoginLockoutGrain lockout, ISmppBindingHolder attempt)
    {
        var addressLockedOut = lockouts.Failed(attempt.Source, SmppChannel);
        var systemIdLockedOut = await SystemIdFailed(lockout, systemId);
        if (systemIdLockedOut)
        {
            TaifaMetrics.LockedOut("system_id", SmppChannel);
            LogSystemIdLockedOut(systemId, _systemIdLimit.MaxFailures, _systemIdLimit.Window, _systemIdLimit.Lockout, attempt.Remote);
        }

        return SmppBindDecision.Refused(addressLockedOut || systemIdLockedOut);
    }

    /// <summary>
    /// The cluster-wide system_id lock-out. A bind must not wait on one grain of a dead silo: when the lock-out cannot be
    /// reached within <see cref="LockoutPatience"/> the bind goes on without it (fails open), with a warning; this silo's
    /// address lock-out still stands, and the lock-out grain, re-created on a survivor, counts again from zero.
    /// </summary>
    private Task<bool> SystemIdLockedOut(ILoginLockoutGrain lockout, string systemId) =>
        FailOpen(() => lockout.IsLockedOut(), systemId, "checking");

    /// <summary>Counts a failed bind against the system_id; unreachable, as <see cref="SystemIdLockedOut"/>, it counts nothing.</summary>
    private Task<bool> SystemIdFailed(ILoginLockoutGrain lockout, string systemId) =>
        FailOpen(() => lockout.Failed(_systemIdLimit), systemId, "counting a failure against");

    private async Task<bool> FailOpen(Func<Task<bool>> call, string systemId, string action)
    {
        try
        {
            return await vanished.Call(call, LockoutPatience).WaitAsync(LockoutPatience, time);
        }
        catch (Exception exception) when (VanishedSilos.IsVanished(exception) || exception is TimeoutException)
        {
            LogLockoutUnreachable(action, systemId, Failures.Reason(exception));
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP system_id {SystemId}: the cluster-wide lock-out is unreachable ({Reason}); binds go on without {Action} it, the address lock-out of this silo still applies")]
    private partial void LogLockoutUnreachable(string action, string systemId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP session {SessionId} from {Remote}: bind as {SystemId} refused: {Reason}")]
    private partial void LogBindRefused(Guid sessionId, string remote, string systemId, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "SMPP system_id {SystemId} locked out after {MaxFailures} failed binds within {FailureWindow}; refused for {LockoutDuration} (last attempt from {Remote})")]
    private partial void LogSystemIdLockedOut(string systemId, int maxFailures, TimeSpan failureWindow, TimeSpan lockoutDuration, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP session {SessionId}: bind as {SystemId} failed on a cluster error ({Reason})")]
    private partial void LogBindError(Guid sessionId, string systemId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP session {SessionId}: could not free its bind slot of account {AccountId} ({Reason})")]
    private partial void LogReleaseFailed(Guid sessionId, long accountId, string reason);
}
