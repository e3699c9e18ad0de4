import Foundation
import CaseworkerTestSupport
import Testing
@testable import CaseworkerOutbound
@testable import CaseworkerWebhooks

@Suite struct DeliveryOutcomeTests {
    // Sun, 06 Nov 1994 08:49:37 GMT
    static let now = Date(timeIntervalSince1970: 784111777)

    func classify(_ status: Int?, error: TransportErrorKind? = nil, retryAfter: String? = nil) -> DeliveryOutcome {
        DeliveryOutcome.classify(status: status, error: error, retryAfterHeader: retryAfter, now: Self.now)
    }

    @Test(arguments: [200, 201, 202, 204, 299])
    func twoHundredsSucceed(status: Int) {
        #expect(classify(status) == .success)
    }

    @Test(arguments: [100, 199, 300, 301, 302, 304, 307, 308, 400, 401, 403, 404, 408, 409, 413, 500, 502, 504, 600, -1])
    func everythingElseRetriesWithoutRetryAfter(status: Int) {
        #expect(classify(status) == .retry(retryAfter: nil))
        #expect(classify(status, retryAfter: "120") == .retry(retryAfter: nil), "Retry-After only for 429/503")
    }

    @Test func goneDisablesTheEndpoint() {
        #expect(classify(410) == .disableEndpoint)
        #expect(classify(410, retryAfter: "60") == .disableEndpoint)
    }

    @Test(arguments: [429, 503])
    func retryAfterIsHonouredFor429And503(status: Int) {
        #expect(classify(status) == .retry(retryAfter: nil))
        #expect(classify(status, retryAfter: "120") == .retry(retryAfter: .seconds(120)))
        #expect(classify(status, retryAfter: " 0 ") == .retry(retryAfter: .zero))
        #expect(classify(status, retryAfter: "Sun, 06 Nov 1994 08:59:37 GMT") == .retry(retryAfter: .seconds(600)))
        #expect(classify(status, retryAfter: "Sun, 06 Nov 1994 08:49:00 GMT") == .retry(retryAfter: .zero), "past date")
        #expect(classify(status, retryAfter: "soon") == .retry(retryAfter: nil))
        #expect(classify(status, retryAfter: "-5") == .retry(retryAfter: nil))
        #expect(classify(status, retryAfter: "1.5") == .retry(retryAfter: nil))
        #expect(classify(status, retryAfter: "") == .retry(retryAfter: nil))
    }

    @Test func transportErrorsRetry() {
        #expect(classify(nil, error: .timeout) == .retry(retryAfter: nil))
        #expect(classify(nil, error: .connectionRefused) == .retry(retryAfter: nil))
        for kind in TransportErrorKind.allCases {
            #expect(classify(nil, error: kind) == .retry(retryAfter: nil))
            // An error wins over a status read before it.
            #expect(classify(200, error: kind) == .retry(retryAfter: nil))
            #expect(classify(410, error: kind) == .retry(retryAfter: nil))
        }
        #expect(classify(nil) == .retry(retryAfter: nil))
    }

    @Test func retryAfterParsing() {
        #expect(RetryAfter.parse("30", now: Self.now) == .seconds(30))
        #expect(RetryAfter.parse("\t30 ", now: Self.now) == .seconds(30))
        #expect(RetryAfter.parse("99999999999999999999999", now: Self.now) == .seconds(RetryAfter.maximumSeconds))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 09:49:37 GMT", now: Self.now) == .seconds(3600))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: Self.now.addingTimeInterval(-0.5)) == .milliseconds(500))
        // Obsolete and malformed date forms are not accepted.
        for text in ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC",
                     "sun, 06 Nov 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "30s", "+30", "3 0"] {
            #expect(RetryAfter.parse(text, now: Self.now) == nil, "\(text)")
        }
    }

    @Test func imfFixdate() {
        #expect(HTTPDate.parseIMFFixdate("Sun, 06 Nov 1994 08:49:37 GMT") == Self.now)
        #expect(HTTPDate.parseIMFFixdate("Thu, 29 Feb 2024 23:59:59 GMT") == Date(timeIntervalSince1970: 1709251199))
        #expect(HTTPDate.parseIMFFixdate("Thu, 01 Jan 1970 00:00:00 GMT") == Date(timeIntervalSince1970: 0))
        #expect(HTTPDate.parseIMFFixdate("Fri, 29 Feb 2023 00:00:00 GMT") == nil)
        #expect(HTTPDate.parseIMFFixdate("Fri, 31 Apr 2023 00:00:00 GMT") == nil)
        #expect(HTTPDate.parseIMFFixdate("Fri, 00 Apr 2023 00:00:00 GMT") == nil)
        #expect(HTTPDate.parseIMFFixdate("Fri, 01 Apr 2023 24:00:00 GMT") == nil)
        #expect(HTTPDate.formatIMFFixdate(Self.now) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.formatIMFFixdate(Date(timeIntervalSince1970: 1709251199)) == "Thu, 29 Feb 2024 23:59:59 GMT")
        var rng = SplitMix64(seed: 11)
        for _ in 0..<1000 {
            let date = Date(timeIntervalSince1970: TimeInterval(Int64.random(in: 0...4_102_444_800, using: &rng)))
            #expect(HTTPDate.parseIMFFixdate(HTTPDate.formatIMFFixdate(date)) == date)
        }
    }
}
