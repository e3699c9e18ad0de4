import CaseworkerCore
import CaseworkerStore
import Foundation
import Hummingbird

/// The frame of every page: the navigation, the signed-in key and sign-out, the content.
enum Layout {
    static func page(title: String, key: APIKey?, csrf: String?, refresh: Bool = false, _ content: HTML) -> HTML {
        let nav: HTML
        if let key, let csrf {
            var links: [HTML] = [#"<a href="/ui">Overview</a>"#]
            if key.grants(.read, on: .workflows) { links.append(#"<a href="/ui/runs">Runs</a>"#) }
            if key.grants(.read, on: .definitions) { links.append(#"<a href="/ui/definitions">Definitions</a>"#) }
            if key.grants(.read, on: .webhooks) { links.append(#"<a href="/ui/webhooks">Webhooks</a>"#) }
            nav = """
                <nav aria-label="Main"><a class="brand" href="/ui">Caseworker</a> \(links)
                <span class="who">Signed in as \(key.name) (\(key.tenantId))</span>
                <form method="post" action="/ui/logout" class="inline">\(csrfField(csrf))<button type="submit">Sign out</button></form></nav>
                """
        } else {
            nav = #"<nav aria-label="Main"><a class="brand" href="/ui">Caseworker</a></nav>"#
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Caseworker</title><link rel="stylesheet" href="/ui/assets/style.css">\
            \(refresh ? HTML(#"<script src="/ui/assets/refresh.js" defer></script>"#) : "")</head>
            <body><header>\(nav)</header><main id="main"><h1>\(title)</h1>
            \(content)</main></body></html>
            """
    }

    static func csrfField(_ token: String) -> HTML { #"<input type="hidden" name="csrf" value="\#(token)">"# }

    /// A button that posts to `action` with the CSRF token.
    static func actionButton(_ label: String, action: String, csrf: String) -> HTML {
        #"<form method="post" action="\#(action)" class="inline">\#(csrfField(csrf))<button type="submit">\#(label)</button></form>"#
    }

    static func timestamp(_ date: Date?) -> String { date.map(Timestamp.rfc3339) ?? "—" }

    static func status(_ status: RunStatus) -> HTML {
        #"<span class="status status-\#(status.rawValue.lowercased())">\#(status.rawValue)</span>"#
    }

    static func json(_ value: JSONValue) -> HTML { #"<pre class="json">\#(prettyJSON(value))</pre>"# }

    static func prettyJSON(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? JSONText.encode(value)
    }

    static func response(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html.text)))
    }
}
