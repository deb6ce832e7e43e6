import HummingbirdBcrypt
import Synchronization

/// Checks HTTP basic-auth credentials against `basic_auth_users` (bcrypt hashes).
///
/// bcrypt is slow on purpose (tens of milliseconds at cost 10), so ``verify(user:password:)`` must run off the
/// event loops; successful checks are remembered as a keyed 64-bit hash of user and password (never the password
/// itself), so a scraper pays the cost once. Unknown users are checked against a dummy hash, so a wrong user
/// takes as long as a wrong password.
package final class BasicAuthenticator: Sendable {
    private let users: [String: String]
    private let dummyHash: String
    /// Keyed hashes (per-process random seed) of (user, password) pairs that passed.
    private let verified = Mutex<Set<Int>>([])
    private static let verifiedLimit = 1024

    package init(users: [String: String]) {
        self.users = users.mapValues(Self.normalized)
        let cost = users.values.first.flatMap { UInt8($0.dropFirst(4).prefix(2)) } ?? 10
        self.dummyHash = Bcrypt.hash("tributary-dummy-\(UInt64.random(in: .min ... .max))", cost: min(max(cost, 4), 31))
    }

    /// True when these credentials passed ``verify(user:password:)`` before (cheap; fine on an event loop).
    package func isKnownGood(user: String, password: String) -> Bool {
        let key = Self.key(user: user, password: password)
        return self.verified.withLock { $0.contains(key) }
    }

    /// Full bcrypt check (slow: call it on a thread pool).
    package func verify(user: String, password: String) -> Bool {
        let hash = self.users[user]
        let matches = Bcrypt.verify(password, hash: hash ?? self.dummyHash)
        guard matches && hash != nil else { return false }
        let key = Self.key(user: user, password: password)
        self.verified.withLock { set in
            if set.count >= Self.verifiedLimit { set.removeAll() }
            set.insert(key)
        }
        return true
    }

    /// Whether `text` is a well-formed bcrypt hash this verifier accepts: `$2a$`, `$2b$` or `$2y$`, a two-digit cost
    /// from 04 to 31, `$`, then 53 characters of bcrypt's base64 alphabet (22 of salt, 31 of hash).
    package static func isBcryptHash(_ text: String) -> Bool {
        self.bcryptProblem(text) == nil
    }

    /// What is wrong with `text` as a bcrypt hash, for error messages; nil when it is well-formed.
    package static func bcryptProblem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard text.hasPrefix("$2a$") || text.hasPrefix("$2b$") || text.hasPrefix("$2y$") else {
            return "not a bcrypt hash (it must start with $2a$, $2b$ or $2y$)"
        }
        guard bytes.count == 60 else { return "a bcrypt hash has 60 characters, this one \(bytes.count)" }
        guard let cost = Int(String(decoding: bytes[4..<6], as: UTF8.self)), (4...31).contains(cost), bytes[6] == UInt8(ascii: "$")
        else {
            return "the bcrypt cost must be two digits from 04 to 31, followed by $"
        }
        guard bytes[7...].allSatisfy(Self.isBcryptBase64) else {
            return "the bcrypt salt and hash may contain only ./A-Za-z0-9"
        }
        return nil
    }

    private static func isBcryptBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: false
        }
    }

    /// `$2y$` (PHP, htpasswd) is the same algorithm as `$2b$`, which the OpenBSD code checks.
    static func normalized(_ hash: String) -> String {
        hash.hasPrefix("$2y$") ? "$2b$" + hash.dropFirst(4) : hash
    }

    private static func key(user: String, password: String) -> Int {
        var hasher = Hasher()
        hasher.combine(user)
        hasher.combine(password)
        return hasher.finalize()
    }

    /// User and password from an `Authorization: Basic …` header value; nil if it is not one.
    package static func credentials(fromHeader value: String) -> (user: String, password: String)? {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic" else { return nil }
        guard let decoded = Base64.decode(String(parts[1]).trimmingSpaces()) else { return nil }
        guard let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let user = String(decoding: decoded[..<colon], as: UTF8.self)
        let password = String(decoding: decoded[(colon + 1)...], as: UTF8.self)
        return (user, password)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}

/// Standard base64 (RFC 4648) decoding with padding, for the basic-auth header.
enum Base64 {
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    static func decode(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 4 * 3)
        var index = 0
        while index < bytes.count {
            var values: [UInt8] = [0, 0, 0, 0]
            var padding = 0
            for offset in 0..<4 {
                let byte = bytes[index + offset]
                if byte == UInt8(ascii: "=") {
                    guard index + 4 == bytes.count, offset >= 2 else { return nil }
                    padding += 1
                } else {
                    guard padding == 0 else { return nil }
                    let value = self.table[Int(byte)]
                    guard value != 0xFF else { return nil }
                    values[offset] = value
                }
            }
            output.append(values[0] << 2 | values[1] >> 4)
            if padding < 2 { output.append(values[1] << 4 | values[2] >> 2) }
            if padding < 1 { output.append(values[2] << 6 | values[3]) }
            index += 4
        }
        return output
    }
}
