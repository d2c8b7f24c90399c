using Actors.Contracts.Jobs;
using Actors.Contracts;
using System.Text.Json;
using Actors.Contracts.Tenants;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using Actors.Data.Jobs;

namespace Actors.Grains.Jobs;

/// <summary>
/// <c>email.send</c>: sends one message (<c>subject</c>, <c>body</c>) to each of <c>recipients</c>
/// through the tenant's SMTP settings. Each recipient's outcome is a row of <c>email_deliveries</c>
/// (sent or failed, with the attempt), written as soon as it is known; a later attempt of the job
/// (a lost connection is retried) sends only to recipients without a <c>sent</c> row. The result
/// counts total, sent and failed, as the seed's email jobs do; a refused recipient does not stop the
/// others. Bodies are never logged. The SMTP host must resolve to addresses
/// <see cref="OutboundPolicy"/> allows; the socket is connected to the address that was checked.
/// A message accepted by the server just before the process died, whose row was not yet written, is
/// sent again on the next attempt: delivery is at least once per recipient, exactly once otherwise.
/// </summary>
public sealed partial class EmailSendHandler(IOptions<OutboundOptions> outbound, NpgsqlDataSource db, ILogger<EmailSendHandler> logger) : IJobHandler
{
    public const int MaxRecipients = 1000;

    public string Type => JobTypes.EmailSend;
    public TimeSpan Timeout => TimeSpan.FromMinutes(30);
    public int DefaultMaxAttempts => 3;

    public IReadOnlyDictionary<string, string[]> Validate(JsonElement parameters)
    {
        var errors = new Dictionary<string, string[]>();
        if (!parameters.TryGetProperty("recipients", out var recipients) || recipients.ValueKind != JsonValueKind.Array
            || recipients.GetArrayLength() is 0 or > MaxRecipients
            || recipients.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String || !EmailAddress.IsValid(r.GetString()!)))
        {
            errors["parameters.recipients"] = [$"must be 1 to {MaxRecipients} email addresses"];
        }
        if (!parameters.TryGetProperty("subject", out var subject) || subject.ValueKind != JsonValueKind.String
            || subject.GetString()!.Length is 0 or > 200 || subject.GetString()!.Any(char.IsControl))
        {
            errors["parameters.subject"] = ["must be 1 to 200 characters without line breaks"];
        }
        if (!parameters.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.String || body.GetString()!.Length > 100_000)
        {
            errors["parameters.body"] = ["must be text of at most 100000 characters"];
        }
        return errors;
    }

    public async Task<object?> RunAsync(JobRun run, CancellationToken cancellationToken)
    {
        var tenant = await run.Grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(run.TenantId)).GetAsync();
        var smtp = tenant?.Settings.Smtp;
        if (smtp is null || string.IsNullOrEmpty(smtp.Host) || string.IsNullOrEmpty(smtp.FromAddress))
        {
            throw new JobFailedException("smtp_not_configured", "The tenant has no SMTP host and from address.", retryable: false);
        }
        // One message per mailbox: an address listed twice (in any case) is sent once.
        var recipients = run.Parameters.GetProperty("recipients").EnumerateArray().Select(r => r.GetString()!)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var subject = run.Parameters.GetProperty("subject").GetString()!;
        var body = run.Parameters.GetProperty("body").GetString()!;

        using var client = new SmtpClient();
        try
        {
            var socket = await OutboundPolicy.ConnectAsync(smtp.Host, smtp.Port, outbound.Value, cancellationToken);
            await client.ConnectAsync(socket, smtp.Host, smtp.Port, smtp.UseTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellationToken);
            if (!string.IsNullOrEmpty(smtp.Username))
            {
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
            }
        }
        catch (OutboundRefusedException ex)
        {
            throw new JobFailedException("outbound_refused", ex.Message, retryable: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new JobFailedException("smtp_unreachable", $"Could not reach the SMTP server: {ex.GetType().Name}.");
        }

        var alreadySent = await SentAsync(run.JobId, cancellationToken);
        int sent = 0, failed = 0, skipped = 0;
        run.ReportProgress(0, recipients.Count);
        foreach (var recipient in recipients)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (alreadySent.Contains(recipient))
            {
                sent++;
                skipped++;
                run.ReportProgress(sent + failed, recipients.Count);
                continue;
            }
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse(smtp.FromAddress));
            message.To.Add(MailboxAddress.Parse(recipient));
            message.Subject = subject;
            message.Body = new TextPart("plain") { Text = body };
            try
            {
                await client.SendAsync(message, cancellationToken);
                sent++;
                await RecordAsync(run, recipient, "sent", null, CancellationToken.None);
            }
            catch (SmtpCommandException ex)
            {
                // The server refused this recipient (or this message): the others still go.
                failed++;
                LogRecipientFailed(logger, run.JobId, run.TenantId, ex.GetType().Name);
                await RecordAsync(run, recipient, "failed", $"{(int)ex.StatusCode} {ex.ErrorCode}", CancellationToken.None);
            }
            catch (Exception ex) when (ex is SmtpProtocolException or IOException or ServiceNotConnectedException)
            {
                // The connection is gone: the job is retried, and the next attempt skips who was sent.
                throw new JobFailedException("smtp_disconnected", $"The SMTP server closed the connection after {sent - skipped} messages: {ex.GetType().Name}.");
            }
            run.ReportProgress(sent + failed, recipients.Count);
        }
        await client.DisconnectAsync(quit: true, cancellationToken);
        return new { total = recipients.Count, sent, failed, skipped };
    }

    private Task<HashSet<string>> SentAsync(Guid jobId, CancellationToken cancellationToken) =>
        EmailDeliveries.SentAsync(db, jobId, cancellationToken);

    private Task RecordAsync(JobRun run, string recipient, string status, string? error, CancellationToken cancellationToken) =>
        EmailDeliveries.RecordAsync(db, run.JobId, run.TenantId, run.Attempt, recipient, status, error, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} of tenant {TenantId}: one recipient refused ({Reason})")]
    private static partial void LogRecipientFailed(ILogger logger, Guid jobId, string tenantId, string reason);
}
