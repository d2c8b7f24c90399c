using System.Net;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Jobs;

[Collection(ClusterCollection.Name)]
public sealed class EmailJobTests(ClusterFixture fixture)
{
    [Fact]
    public async Task EmailJobSendsThroughTheTenantsSmtpAndCountsSentAndFailed()
    {
        await using var smtp = new SmtpStub();
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync(new
        {
            smtp = new { host = "127.0.0.1", port = smtp.Port, use_tls = false, from_address = "noreply@actors.example" },
        });
        var token = await s.UserTokenAsync(tenant, "reviewer");

        var submitted = await fixture.Http.SendAsync(HttpMethod.Post, "/jobs", token, new
        {
            type = "email.send",
            parameters = new { recipients = new[] { "a@x.example", "reject-me@x.example", "b@x.example" }, subject = "Welcome aboard", body = "Hello" },
        });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var location = submitted.Headers.Location!.OriginalString;

        var job = await fixture.Http.WaitForStatusAsync(token, location, "completed", "failed");

        Assert.Equal("completed", job.GetProperty("status").GetString());
        var result = job.GetProperty("result");
        Assert.Equal(3, result.GetProperty("total").GetInt32());
        Assert.Equal(2, result.GetProperty("sent").GetInt32());
        Assert.Equal(1, result.GetProperty("failed").GetInt32());
        Assert.Equal(2, smtp.Messages.Count);
        Assert.All(smtp.Messages, m => Assert.Contains("Subject: Welcome aboard", m.Data));
    }

    [Fact]
    public async Task EmailJobForATenantWithoutSmtpFailsWithAStableCodeAndCompletesWhenRetriedAfterTheFix()
    {
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync();
        var token = await s.UserTokenAsync(tenant, "reviewer");

        var submitted = await fixture.Http.SendAsync(HttpMethod.Post, "/jobs", token, new
        {
            type = "email.send",
            parameters = new { recipients = new[] { "a@x.example" }, subject = "Hi", body = "Hello" },
        });
        var location = submitted.Headers.Location!.OriginalString;
        var job = await fixture.Http.WaitForStatusAsync(token, location, "completed", "failed");

        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Equal("smtp_not_configured", job.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());

        // The operator fixes the tenant's settings and retries the failed job by hand.
        await using var smtp = new SmtpStub();
        var patched = await fixture.Http.SendAsync(HttpMethod.Patch, $"/tenants/{tenant}", s.OperatorToken, new
        {
            settings = new { smtp = new { host = "127.0.0.1", port = smtp.Port, use_tls = false, from_address = "noreply@actors.example" } },
        });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.SendAsync(HttpMethod.Post, location + "/retry", token)).StatusCode);
        job = await fixture.Http.WaitForStatusAsync(token, location, "completed", "failed");
        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task AnEmailJobCutOffMidwayIsRetriedAndSendsOnlyToRecipientsNotYetSent()
    {
        await using var smtp = new SmtpStub { HangUpOnceAfter = 2 };
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync(new
        {
            smtp = new { host = "127.0.0.1", port = smtp.Port, use_tls = false, from_address = "noreply@actors.example" },
        });
        var token = await s.UserTokenAsync(tenant, "reviewer");
        // "A@x.example" is a@x.example again: one message per mailbox.
        string[] recipients = ["a@x.example", "b@x.example", "A@x.example", "c@x.example", "reject-d@x.example", "e@x.example"];

        var submitted = await fixture.Http.SendAsync(HttpMethod.Post, "/jobs", token, new
        {
            type = "email.send", max_attempts = 3,
            parameters = new { recipients, subject = "Twice?", body = "Never twice." },
        });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var location = submitted.Headers.Location!.OriginalString;
        var job = await fixture.Http.WaitForStatusAsync(token, location, "completed", "failed");

        // Attempt 1 sent a and b, then lost the server; attempt 2 sent c and e and recorded d's refusal.
        Assert.Equal(("completed", 2), (job.GetProperty("status").GetString(), job.GetProperty("attempts").GetInt32()));
        var result = job.GetProperty("result");
        Assert.Equal((5, 4, 1, 2), (result.GetProperty("total").GetInt32(), result.GetProperty("sent").GetInt32(),
            result.GetProperty("failed").GetInt32(), result.GetProperty("skipped").GetInt32()));
        var delivered = smtp.Messages.SelectMany(m => m.Recipients).OrderBy(r => r).ToList();
        Assert.Equal(["a@x.example", "b@x.example", "c@x.example", "e@x.example"], delivered);

        var deliveries = await (await fixture.Http.SendAsync(HttpMethod.Get, location + "/deliveries", token)).JsonAsync();
        Assert.Equal(5, deliveries.GetProperty("total").GetInt64());
        Assert.Equal("a@x.example:sent:1 b@x.example:sent:1 c@x.example:sent:2 e@x.example:sent:2 reject-d@x.example:failed:2",
            string.Join(' ', deliveries.GetProperty("items").EnumerateArray()
                .Select(d => $"{d.GetProperty("recipient").GetString()}:{d.GetProperty("status").GetString()}:{d.GetProperty("attempt").GetInt32()}")));
        Assert.Equal(2L, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM email_deliveries WHERE job_id = @id AND attempt = 1", ("id", Guid.Parse(location.Split('/')[^1]))));
    }
}
