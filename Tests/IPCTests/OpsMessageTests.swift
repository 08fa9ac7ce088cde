import IPC
import ShadowCore
import Testing

/// The operations process is distrusted like a worker: its direction carries typed requests only.
@Suite struct OpsMessageTests {
    /// Everything a compromised ops might try instead of a request is refused by the master's
    /// decoder (the master then closes the channel and kills it; see Master.drainChannel).
    @Test func opsMayOnlyAskTheMaster() throws {
        let hostile: [(IPCMessage, Direction)] = [
            (.event(Array("{}\n".utf8)), .v4ToMaster),
            (.bindingLearned(BindingLearned(mac: Samples.mac, option82: Samples.option82)), .v4ToMaster),
            (.counters([Counter(name: "received", value: 1)]), .v4ToMaster),
            (.snapshotApplied(SnapshotApplied(snapshotGeneration: 1, reservationCount: 1)), .v4ToMaster),
            (.configure(WorkerConfiguration(idsJSON: [1], configJSON: [2])), .masterToV4),
            (.shutdown, .masterToV4),
            (.statusResponse(StatusResponse(requestID: 1, keyCount: 0, reservationCount: 0, snapshotGeneration: 0,
                                            snapshotLoadedAtMilliseconds: 0, stateError: nil)), .masterToOps),
            (.mutationResult(MutationResult(requestID: 1, outcome: .done(count: 1))), .masterToOps),
        ]
        for (message, legal) in hostile {
            let bytes = try IPCCodec.encode(message, generation: 1, direction: legal)
            #expect(throws: IPCError.forbidden(message.type, .opsToMaster)) {
                try IPCCodec.decode(bytes, direction: .opsToMaster, hasDescriptor: message.type.carriesDescriptor)
            }
        }
        #expect(Direction.opsToMaster.allowedTypes == [.ready, .statusRequest, .reloadRequest, .replaceRequest,
                                                       .workersRequest, .statsRequest, .bindingsRequest, .versionRequest,
                                                       .peerStates, .peerBindings, .bindingTableRequest,
                                                       .changesRequest, .lastServedRequest])
        #expect(MessageType.changesRequest.rawValue == 40)
        // Requests never travel to a worker, nor answers from one.
        for type in Direction.opsToMaster.allowedTypes.subtracting([.ready]) {
            #expect(!Direction.masterToV4.allows(type) && !Direction.v4ToMaster.allows(type))
        }
    }

    @Test func replaceWithoutItsImageIsRefused() throws {
        let request = IPCMessage.replaceRequest(ReplaceRequest(requestID: 1, byteCount: 64, digest: 0,
                                                               reservationCount: 0))
        let bytes = try IPCCodec.encode(request, generation: 1, direction: .opsToMaster)
        #expect(throws: IPCError.descriptorMismatch(.replaceRequest, attached: false)) {
            try IPCCodec.decode(bytes, direction: .opsToMaster, hasDescriptor: false)
        }
        let changes = try IPCCodec.encode(.changesRequest(ChangesRequest(requestID: 1, baseGeneration: 1, byteCount: 5,
                                                                         digest: 0, changeCount: 1)),
                                          generation: 1, direction: .opsToMaster)
        #expect(throws: IPCError.descriptorMismatch(.changesRequest, attached: false)) {
            try IPCCodec.decode(changes, direction: .opsToMaster, hasDescriptor: false)
        }
        let status = try IPCCodec.encode(.statusRequest(1), generation: 1, direction: .opsToMaster)
        #expect(throws: IPCError.descriptorMismatch(.statusRequest, attached: true)) {
            try IPCCodec.decode(status, direction: .opsToMaster, hasDescriptor: true)
        }
    }

    @Test func invalidFieldsAreRefused() {
        // bindings-request: presence byte 2.
        #expect(throws: IPCError.invalidField(.bindingsRequest, field: "presence", offset: 8)) {
            try IPCCodec.decode(StrictDecodingTests.frame(.bindingsRequest, [1, 0, 0, 0, 0, 0, 0, 0, 2]),
                                direction: .opsToMaster, hasDescriptor: false)
        }
        // workers-response: process kind 4.
        #expect(throws: IPCError.invalidField(.workersResponse, field: "process kind", offset: 9)) {
            try IPCCodec.decode(StrictDecodingTests.frame(.workersResponse, [1, 0, 0, 0, 0, 0, 0, 0, 1, 4]),
                                direction: .masterToOps, hasDescriptor: false)
        }
        // changes-request: base generation 0 (changes are always conditional), then no changes.
        let id: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0], eight: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: IPCError.invalidField(.changesRequest, field: "baseGeneration", offset: 8)) {
            try IPCCodec.decode(StrictDecodingTests.frame(.changesRequest, id + [UInt8](repeating: 0, count: 8) + eight + eight + [1, 0, 0, 0]),
                                direction: .opsToMaster, hasDescriptor: true)
        }
        #expect(throws: IPCError.invalidField(.changesRequest, field: "changeCount", offset: 32)) {
            try IPCCodec.decode(StrictDecodingTests.frame(.changesRequest, id + eight + eight + eight + [0, 0, 0, 0]),
                                direction: .opsToMaster, hasDescriptor: true)
        }
        // mutation-result: outcome 4 (3 is stale).
        #expect(throws: IPCError.invalidField(.mutationResult, field: "outcome", offset: 8)) {
            try IPCCodec.decode(StrictDecodingTests.frame(.mutationResult, [1, 0, 0, 0, 0, 0, 0, 0, 4]),
                                direction: .masterToOps, hasDescriptor: false)
        }
    }

    /// A reload failure with many long lines still fits in one message.
    @Test func longFailuresAreCutToFit() throws {
        let lines = (0..<5000).map { "reservations.json[\($0)].mac: " + String(repeating: "x", count: 100) }
        let result = MutationResult.failure(requestID: 9, error: String(repeating: "e", count: 100_000), lines: lines)
        let bytes = try IPCCodec.encode(.mutationResult(result), generation: 1, direction: .masterToOps)
        #expect(bytes.count <= IPCLimits.maximumMessageSize)
        guard case .failed(let error, let kept) = result.outcome else { Issue.record("not a failure"); return }
        #expect(error.utf8.count == 16 * 1024)
        #expect(kept.last?.hasPrefix("... and ") == true && kept.last?.hasSuffix(" more errors") == true)
    }

    /// `access` carries `mgmt_tls`'s PEM bytes exactly; a byte too many or too few is refused.
    @Test func accessCarriesTheTLSMaterialExactly() throws {
        for tls in [OpsTLSMaterial(certificatePEM: Array("CERT".utf8), keyPEM: Array("KEY".utf8)),
                    OpsTLSMaterial(certificatePEM: [1], keyPEM: [], clientCAPEM: Array("CA".utf8))] {
            let access = OpsAccess(tokensFile: "/etc/t.json", tokensJSON: [0x7B, 0x7D],
                                   group: ResolvedGroup(name: "ops", gid: 9, memberUIDs: [1, 2]), tls: tls)
            let bytes = try IPCCodec.encode(.access(access), generation: 1, direction: .masterToOps)
            let decoded = try IPCCodec.decode(bytes, direction: .masterToOps, hasDescriptor: false)
            #expect(decoded.message == .access(access))
            let payload = try StrictDecodingTests.payload(of: .access(access), .masterToOps)
            #expect(throws: IPCError.trailingBytes(.access, count: 1)) {
                try IPCCodec.decode(StrictDecodingTests.frame(.access, payload + [0]),
                                    direction: .masterToOps, hasDescriptor: false)
            }
            #expect(throws: (any Error).self) {
                try IPCCodec.decode(StrictDecodingTests.frame(.access, Array(payload.dropLast())),
                                    direction: .masterToOps, hasDescriptor: false)
            }
        }
    }

    @Test func opsArgumentsRoundTripAndRefuseNonsense() {
        let args = OpsArguments(generation: 3, user: "nobody", rootDirectory: "/run/shadowdhcp/empty", listeners: [
            .init(role: .managementTCP, descriptor: 4), .init(role: .managementUnix, descriptor: 5),
            .init(role: .metrics, descriptor: 6)])
        #expect(args.argv == ["shadow-ops", "--generation", "3", "--user", "nobody", "--root", "/run/shadowdhcp/empty",
                              "--listener", "mgmt-tcp=4", "--listener", "mgmt-unix=5", "--listener", "metrics=6",
                              "--log-format", "json"])
        #expect(OpsArguments(args.argv) == args)
        let base = ["shadow-ops", "--generation", "1", "--user", "u", "--root", "/r"]
        #expect(OpsArguments(base) != nil)
        #expect(OpsArguments(base + ["--listener", "mgmt-tcp=3"]) == nil)  // the IPC socket's number
        #expect(OpsArguments(base + ["--listener", "ssh=4"]) == nil)
        #expect(OpsArguments(base + ["--listener", "metrics=4", "--listener", "metrics=5"]) == nil)
        #expect(OpsArguments(base + ["--listener", "metrics=4", "--listener", "mgmt-tcp=4"]) == nil)
        #expect(OpsArguments(base + ["--listener"]) == nil)
        var tls = args
        tls.systemTrustRoots = true
        #expect(tls.argv.suffix(4) == ["--trust-roots", "system", "--log-format", "json"])
        #expect(OpsArguments(tls.argv) == tls)
        #expect(OpsArguments(base + ["--trust-roots", "/etc/ssl/certs"]) == nil)
        // The master's resolved log format; JSON when absent; nothing else.
        var text = args
        text.logFormat = .text
        #expect(OpsArguments(text.argv) == text)
        #expect(OpsArguments(base)?.logFormat == .json)
        #expect(OpsArguments(base + ["--log-format", "yaml"]) == nil)
        let worker = WorkerArguments(generation: 2, user: "nobody", rootDirectory: "/r", logFormat: .text)
        #expect(worker.argv(for: .v6) == ["shadow-v6", "--generation", "2", "--user", "nobody", "--root", "/r",
                                          "--log-format", "text"])
        #expect(WorkerArguments(worker.argv(for: .v6)) == worker)
        #expect(WorkerArguments(["shadow-v4", "--generation", "2", "--user", "u", "--root", "/r"])?.logFormat == .json)
        #expect(WorkerArguments(["shadow-v4", "--generation", "2", "--user", "u", "--root", "/r", "--log-format", "Text"]) == nil)
        #expect(OpsArguments(base + ["--trust-roots", "system", "--trust-roots", "system"]) == nil)
    }
}
