import CaseworkerAPI
import CaseworkerCore
import CaseworkerDashboard
import CaseworkerEngine
import CaseworkerSQLite
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The dashboard over the real router (the API's and `/ui` together), a real SQLite file and the
/// run engine: sign-in, sessions, CSRF, scopes, tenancy, escaping, the runs pages.
@Suite struct DashboardTests {
    @Test func anUnsignedBrowserIsSentToSignInAndBackAfterIt() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let page = try await client.get("/ui/runs?status=FAILED")
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/ui/login?next=%2Fui%2Fruns%3Fstatus%3DFAILED")
            let browser = try await client.signIn(key: app.keyA, next: "/ui/runs?status=FAILED")
            #expect(browser.location == "/ui/runs?status=FAILED")
            let runs = try await browser.get("/ui/runs")
            #expect(runs.status == .ok)
            #expect(runs.text.contains("<h1>Runs</h1>"))
            #expect(runs.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
        }
    }

    @Test func theSessionCookieIsHttpOnlyStrictAndTheKeyIsNeverShownBack() async throws {
        let app = try await DashboardApp()
        try await app.test { client, _ in
            let login = try await client.get("/ui/login")
            let csrf = try #require(login.csrf)
            let loginCookie = try #require(login.cookie(named: "caseworker_login"))
            let wrong = try await client.post("/ui/login", form: ["csrf": csrf, "key": "cwk_not-a-key"], cookies: ["caseworker_login": loginCookie])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("Unknown or revoked API key."))
            #expect(!wrong.text.contains("cwk_not-a-key"))
            let right = try await client.post("/ui/login", form: ["csrf": csrf, "key": app.keyA, "next": "https://evil.example/"], cookies: ["caseworker_login": loginCookie])
            #expect(right.status == .seeOther)
            #expect(right.headers[.location] == "/ui", "an open redirect is refused")
            let setCookie = right.headers[values: .setCookie].first { $0.hasPrefix("caseworker_session=") } ?? ""
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Strict"))
            #expect(setCookie.contains("Path=/ui"))
            #expect(!setCookie.contains(app.keyA))
        }
    }

    @Test func signInWithoutTheFormsTokenIsForbidden() async throws {
        let app = try await DashboardApp()
        try await app.test { client, _ in
            let reply = try await client.post("/ui/login", form: ["csrf": "forged", "key": app.keyA], cookies: [:])
            #expect(reply.status == .forbidden)
            #expect(reply.cookie(named: "caseworker_session") == nil)
        }
    }

    @Test func signInAttemptsAreLimitedPerAddress() async throws {
        var configuration = DashboardConfiguration()
        configuration.loginAttemptsPerMinute = 3
        let app = try await DashboardApp(configuration: configuration)
        try await app.test { client, _ in
            let login = try await client.get("/ui/login")
            let csrf = try #require(login.csrf)
            let cookies = ["caseworker_login": try #require(login.cookie(named: "caseworker_login"))]
            for _ in 0..<3 {
                #expect(try await client.post("/ui/login", form: ["csrf": csrf, "key": "wrong"], cookies: cookies).status == .unauthorized)
            }
            let limited = try await client.post("/ui/login", form: ["csrf": csrf, "key": app.keyA], cookies: cookies)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
        }
    }

    @Test func everyActionNeedsTheSessionsCSRFToken() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let runId = try await api.failedRun(key: app.keyA)
            let browser = try await client.signIn(key: app.keyA)
            let forged = try await browser.post("/ui/runs/\(runId)/retry", form: ["csrf": "0"])
            #expect(forged.status == .forbidden)
            let missing = try await browser.post("/ui/runs/\(runId)/retry", form: [:])
            #expect(missing.status == .forbidden)
            #expect(try await api.status(runId, key: app.keyA) == "FAILED", "nothing was done")
        }
    }

    @Test func aRunsPageShowsItsTimelineAndRetryWorks() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let runId = try await api.failedRun(key: app.keyA)
            let browser = try await client.signIn(key: app.keyA)
            let page = try await browser.get("/ui/runs/\(runId)")
            #expect(page.status == .ok)
            #expect(page.text.contains("FAILED"))
            #expect(page.text.contains("<td>check</td>"), "the failed step is in the timeline")
            #expect(page.text.contains("Retry run"))
            let list = try await browser.get("/ui/runs?status=FAILED")
            #expect(list.text.contains(runId))
            let retried = try await browser.post("/ui/runs/\(runId)/retry", form: ["csrf": browser.csrf])
            #expect(retried.status == .seeOther)
            #expect(retried.headers[.location] == "/ui/runs/\(runId)")
            #expect(try await api.status(runId, key: app.keyA) != "FAILED")
        }
    }

    @Test func aReadOnlyKeySeesNoButtonsAndIsRefusedIfItPostsAnyway() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let runId = try await api.failedRun(key: app.keyA)
            let browser = try await client.signIn(key: app.readOnlyKeyA)
            let page = try await browser.get("/ui/runs/\(runId)")
            #expect(page.status == .ok)
            #expect(!page.text.contains("Retry run"))
            #expect(!page.text.contains("Cancel run"))
            let posted = try await browser.post("/ui/runs/\(runId)/retry", form: ["csrf": browser.csrf])
            #expect(posted.status == .forbidden)
            #expect(try await api.status(runId, key: app.keyA) == "FAILED")
        }
    }

    @Test func anotherTenantsRunIsNotFound() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let runId = try await api.failedRun(key: app.keyA)
            let browser = try await client.signIn(key: app.keyB)
            #expect(try await browser.get("/ui/runs/\(runId)").status == .notFound)
            #expect(try await browser.post("/ui/runs/\(runId)/cancel", form: ["csrf": browser.csrf]).status == .notFound)
            #expect(!(try await browser.get("/ui/runs").text.contains(runId)))
        }
    }

    @Test func aHostileStringIsEscaped() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let hostile = "<script>alert(1)</script>\"'&"
            let runId = try await api.failedRun(key: app.keyA, caseExternalId: hostile, correlationId: hostile)
            let browser = try await client.signIn(key: app.keyA)
            let page = try await browser.get("/ui/runs/\(runId)")
            #expect(!page.text.contains("<script>alert(1)"))
            #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"))
        }
    }

    @Test func signOutAndARevokedKeyEndTheSession() async throws {
        let app = try await DashboardApp()
        try await app.test { client, _ in
            let browser = try await client.signIn(key: app.keyA)
            #expect(try await browser.post("/ui/logout", form: ["csrf": browser.csrf]).status == .seeOther)
            #expect(try await browser.get("/ui/runs").status == .seeOther, "signed out")

            let secret = APIKeySecret.generate()
            let key = try await app.store.createKey(tenantId: "tenant-a", name: "soon revoked", scopes: [.admin], secret: secret)
            let second = try await client.signIn(key: secret.text)
            #expect(try await second.get("/ui/runs").status == .ok)
            _ = try await app.store.revokeKey(id: key.id)
            #expect(try await second.get("/ui/runs").status == .seeOther, "a revoked key's session ends")
        }
    }

    @Test func anIdleSessionEnds() async throws {
        let clock = ManualClock()
        let app = try await DashboardApp(now: { clock.now })
        try await app.test { client, _ in
            let browser = try await client.signIn(key: app.keyA)
            #expect(try await browser.get("/ui/runs").status == .ok)
            clock.advance(by: 31 * 60)
            #expect(try await browser.get("/ui/runs").status == .seeOther)
        }
    }

    @Test func theRunsListFiltersByCorrelationIdAndTimeRange() async throws {
        let app = try await DashboardApp()
        try await app.test { client, api in
            let tagged = try await api.failedRun(key: app.keyA, correlationId: "order-7")
            let other = try await api.failedRun(key: app.keyA)
            let browser = try await client.signIn(key: app.keyA)
            let byCorrelation = try await browser.get("/ui/runs?correlation=order-7")
            #expect(byCorrelation.text.contains(tagged))
            #expect(!byCorrelation.text.contains(other))
            let all = try await browser.get("/ui/runs?from=2000-01-01T00:00&to=2999-01-01T00:00")
            #expect(all.text.contains(tagged) && all.text.contains(other))
            let none = try await browser.get("/ui/runs?to=2000-01-01T00:00")
            #expect(none.text.contains("No runs match."))
            #expect(try await browser.get("/ui/runs?from=soon").status == .badRequest)
        }
    }

    @Test func theCookieIsSecureWhenConfiguredOrATrustedProxySaysHTTPS() async throws {
        var configuration = DashboardConfiguration()
        configuration.trustForwardedProto = true
        let app = try await DashboardApp(configuration: configuration)
        try await app.test { client, _ in
            let plain = try await client.get("/ui/login")
            #expect(plain.headers[values: .setCookie].allSatisfy { !$0.contains("Secure") })
            let proxied = try await client.get("/ui/login", headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(proxied.headers[values: .setCookie].contains { $0.hasPrefix("caseworker_login=") && $0.contains("Secure") })
        }
        var always = DashboardConfiguration()
        always.secureCookies = true
        try await DashboardApp(configuration: always).test { client, _ in
            let page = try await client.get("/ui/login")
            #expect(page.headers[values: .setCookie].allSatisfy { $0.contains("Secure") })
        }
    }
}
