import CaseworkerCore
import CaseworkerStore
import Hummingbird

/// List paging (SPEC 2.1): `?limit=` (default 50, at most 500) and an opaque `?cursor=`;
/// responses are `{items, nextCursor}`, newest first.
///
/// A cursor is the base64url of `v1:<id of the last item>`; clients must treat it as opaque.
enum Pagination {
    static let defaultLimit = 50
    static let maxLimit = 500

    static func pageRequest(from request: Request) throws -> PageRequest {
        let query = request.uri.queryParameters
        var limit = defaultLimit
        if let text = query["limit"] {
            guard let value = Int(String(text)), (1...maxLimit).contains(value) else {
                throw Problem.badRequest("limit must be an integer from 1 to \(maxLimit)")
            }
            limit = value
        }
        var beforeId: String?
        if let cursor = query["cursor"] {
            guard let bytes = Base64URL.decode(String(cursor)), let text = String(validating: bytes, as: UTF8.self),
                text.hasPrefix("v1:"), text.count > 3
            else { throw Problem.badRequest("cursor is not a cursor this API returned") }
            beforeId = String(text.dropFirst(3))
        }
        return PageRequest(limit: limit, beforeId: beforeId)
    }

    static func response<Item>(_ page: Page<Item>, id: (Item) -> String, representation: (Item) -> JSONValue) -> Response {
        var next = JSONValue.null
        if page.hasMore, let last = page.items.last {
            next = .string(Base64URL.encode(Array("v1:\(id(last))".utf8)))
        }
        return .json(["items": .array(page.items.map(representation)), "nextCursor": next])
    }
}
