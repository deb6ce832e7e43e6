#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// JSON for the `/api/v1/*` endpoints and `tributary explain --json`: sorted keys, pretty-printed, non-finite
/// numbers as Prometheus spells them (`"+Inf"`, `"-Inf"`, `"NaN"`) instead of an encoding error.
package enum APIJSON {
    package static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        do {
            return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
        } catch {
            return Array(#"{"error":"cannot encode response"}"#.utf8) + [UInt8(ascii: "\n")]
        }
    }

    /// A JSON error body: `{"error": message}` with the given status.
    package static func error(_ status: Int, _ message: String) -> HTTPResponseInfo {
        .json(status, Self.encode(["error": message]))
    }
}
