import Logging
import ShadowCore
import ShadowSystem

/// The state directory and the persisted binding table.
extension Master {
    func prepareStateDirectory() {
        do {
            try FileSystem.makeDirectories(settings.config.stateDir, mode: 0o750)
        } catch {
            stateProblem = "cannot create state_dir \(settings.config.stateDir): \(error)"
            logger.error("\(stateProblem!); learned bindings are kept in memory only")
            return
        }
        // A directory others can write to could hand the master a planted bindings.json, or
        // swap the file it writes: neither read nor written.
        if let problem = FileSystem.untrustedDirectoryProblem(settings.config.stateDir) {
            stateProblem = "refusing state_dir \(settings.config.stateDir): \(problem)"
            logger.error("\(stateProblem!); learned bindings are kept in memory only")
        }
    }

    /// Loads `bindings.json`; a corrupt file is set aside and logged, never fatal.
    func loadBindings() {
        guard stateProblem == nil else { return }
        do {
            let records = try bindingStore.load()
            for r in records { bindings.learn(mac: r.mac, option82: r.option82, now: r.lastSeen) }
            if !records.isEmpty {
                logger.info("loaded learned bindings", metadata: ["count": "\(bindings.count)",
                                                                  "path": "\(bindingStore.path)"])
            }
        } catch {
            let moved = bindingStore.setAside()
            logger.error("ignoring unreadable binding state: \(error)",
                         metadata: ["set_aside_as": "\(moved ?? "(could not move it)")"])
        }
    }

    func saveBindingsIfDue() {
        guard bindingsDirty,
              Clocks.monotonicMilliseconds() >= lastBindingsSave + Master.bindingSaveIntervalMilliseconds else { return }
        saveBindings()
    }

    func saveBindings() {
        lastBindingsSave = Clocks.monotonicMilliseconds()
        guard stateProblem == nil || bindingsDirty else { return }
        do {
            try bindingStore.save(bindings)
            bindingsDirty = false
            stateProblem = nil
        } catch {
            stateProblem = "cannot write \(bindingStore.path): \(error)"
            logger.error("\(stateProblem!); learned bindings are kept in memory only")
        }
    }
}
