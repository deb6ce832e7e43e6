import NIOCore
import NIOHTTP1

/// Basic-auth gating of one connection's requests as a state machine: one `mutating func` per event, each returning
/// what ``HTTPBasicAuthHandler`` must do with the part or the verdict.
///
/// Pure and single-threaded: the handler owns one per connection on its event loop. The pipeline delivers one
/// request at a time, so at most one verification is in flight. No time is involved (the connection's deadlines
/// are ``HTTPConnectionTimeoutStateMachine``'s).
struct BasicAuthStateMachine {
    /// What the `Authorization` header of a request head offers.
    enum Credentials: Equatable {
        case missing
        /// Seen and verified before (no bcrypt needed).
        case knownGood
        case unverified(user: String, password: String)
    }

    enum ReadAction: Equatable {
        /// Pass the part on.
        case forward
        /// Keep the part until the verification completes.
        case hold
        /// Discard the part (the request was answered with 401).
        case drop
        /// Answer this request with 401 (its remaining parts are dropped).
        case reject(HTTPRequestHead)
        /// Check these credentials off the event loop; the head is held.
        case verify(user: String, password: String)
        /// Close the connection: a part out of order, or too much body held during a verification.
        case close
    }

    enum VerificationAction: Equatable {
        /// Pass on every part held during the verification, in order.
        case release([HTTPServerRequestPart])
        /// Answer the held request with 401.
        case reject(HTTPRequestHead)
        /// The verification outlived its request (the connection closed meanwhile).
        case doNothing
    }

    private enum State {
        case idle
        /// Authorised: parts go on until `.end`.
        case forwarding
        /// Verification running; parts held back (the body bounded by `maxHeldBytes`).
        case verifying(head: HTTPRequestHead, held: [HTTPServerRequestPart], bytes: Int)
        /// 401 sent (or being sent): parts are dropped until `.end`.
        case rejecting
    }

    /// Body bytes held during one verification before the connection is closed.
    let maxHeldBytes: Int
    private var state = State.idle

    init(maxHeldBytes: Int = 1 << 20) {
        self.maxHeldBytes = maxHeldBytes
    }

    /// A request part arrived. `credentials` is asked only for a head that starts a request.
    mutating func requestPartReceived(
        _ part: HTTPServerRequestPart, credentials: (HTTPRequestHead) -> Credentials
    ) -> ReadAction {
        switch (self.state, part) {
        case (.idle, .head(let head)):
            switch credentials(head) {
            case .missing:
                self.state = .rejecting
                return .reject(head)
            case .knownGood:
                self.state = .forwarding
                return .forward
            case .unverified(let user, let password):
                self.state = .verifying(head: head, held: [part], bytes: 0)
                return .verify(user: user, password: password)
            }
        case (.forwarding, _):
            if case .end = part { self.state = .idle }
            return .forward
        case (.verifying(let head, var held, var bytes), _):
            if case .body(let chunk) = part { bytes += chunk.readableBytes }
            guard bytes <= self.maxHeldBytes else { return .close }
            self.state = .idle  // release the array's storage before appending (avoid copy-on-write)
            held.append(part)
            self.state = .verifying(head: head, held: held, bytes: bytes)
            return .hold
        case (.rejecting, .end):
            self.state = .idle
            return .drop
        case (.rejecting, _):
            return .drop
        case (.idle, _):
            return .close  // a body without a head: the decoder would have failed first
        }
    }

    /// The verification started by ``ReadAction/verify(user:password:)`` completed.
    mutating func verificationCompleted(valid: Bool) -> VerificationAction {
        guard case .verifying(let head, let held, _) = self.state else { return .doNothing }
        let endSeen = held.contains { if case .end = $0 { true } else { false } }
        guard valid else {
            self.state = endSeen ? .idle : .rejecting
            return .reject(head)
        }
        self.state = endSeen ? .idle : .forwarding
        return .release(held)
    }
}
