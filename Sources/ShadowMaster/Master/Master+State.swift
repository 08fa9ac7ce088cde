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
            stateDirectoryRefused = true
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

    /// Starts writing the bindings on the saver's thread when they changed and the interval has
    /// passed since the last save began (docs/operations.md, "Learned bindings").
    func saveBindingsIfDue() {
        guard bindingsDirty, !stateDirectoryRefused, bindingSaver?.isRunning != true,
              Clocks.monotonicMilliseconds() >= lastBindingsSave + Master.bindingSaveIntervalMilliseconds else { return }
        lastBindingsSave = Clocks.monotonicMilliseconds()
        // The saver writes a copy of the table; the loop goes on learning into its own.
        if let saver = bindingSaver, saver.start(bindings, to: bindingStore) {
            bindingsDirty = false
            return
        }
        saveBindings()
    }

    /// Takes the outcome of a save the saver finished.
    func bindingSaveFinished() {
        guard let outcome = bindingSaver?.take() else { return }
        switch outcome {
        case .success:
            stateProblem = nil
        case .failure(let error):
            bindingsDirty = true  // what it held is still only in memory: try again at the next interval
            stateProblem = "cannot write \(bindingStore.path): \(error)"
            logger.error("\(stateProblem!); learned bindings are kept in memory only")
        }
    }

    /// Writes the bindings now, on this thread (at shutdown, or when no thread can be started),
    /// after any save still running on the saver's thread.
    func saveBindings() {
        lastBindingsSave = Clocks.monotonicMilliseconds()
        guard !stateDirectoryRefused else { return }
        bindingSaver?.waitUntilIdle()
        bindingSaveFinished()
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
