using System.Net;
using System.Text.Json;
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
}
