namespace Etter.Persistence.Sqlite;

/// <summary>
/// The queue of this process's writers to one SQLite file: one holder at a time, first come first served, and the next
/// writer resumed on the file's own thread the moment the holder lets go.
/// </summary>
/// <remarks>
/// <para>
/// Why a thread of the file's own: resumed through the thread pool (as <see cref="SemaphoreSlim"/> resumes an awaiting
/// waiter), the next writer queued behind whatever else the pool had to run, and the file sat idle in between. Under the
/// embedded benchmark that was 0.12 to 0.17 ms per hand-over, a fifth of the time orchestrator.db was busy, with
/// writers always waiting. The file's thread runs the next writer at once, up to its commit; what the writer does after
/// its commit goes back to the pool (<see cref="SqliteWriteGate"/>'s end-of-transaction hooks), so it never delays the
/// writer after it.
/// </para>
/// <para>
/// The thread is started when a writer first has to wait and ends after a spell without any, so a process (or a test
/// run) with many files holds only the threads of files being written at the time.
/// </para>
/// <para>
/// <paramref name="onIdle"/> runs whenever the file is about to be left with nobody holding or waiting for it, still on
/// behalf of the last holder: <see cref="SqliteWriteGroup"/> commits the writers it gathered there.
/// </para>
/// </remarks>
internal sealed class SqliteFileGate(string name, TimeSpan maxWait, Action? onIdle = null)
{
    static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    /// <summary>How many sweeps without a hand-over before the file's thread ends.</summary>
    const int IdleSweepsBeforeExit = 10;

    [ThreadStatic]
    static bool t_isWriterThread;

    readonly object _lock = new();
    readonly Queue<Waiter> _waiting = new();
    bool _held;
    int _handOvers;
    bool _threadRunning;

    string TimeoutMessage => $"Waited more than {maxWait.TotalSeconds:0} s to write to {name}; another transaction in this process holds it.";

    /// <summary>Whether the calling code runs on a file's writer thread, where it must not stay once its transaction ended.</summary>
    public static bool OnWriterThread => t_isWriterThread;

    /// <summary>Completes when the caller holds the file: at once if it is free, otherwise on the file's thread.</summary>
    public Task EnterAsync(CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                return Task.CompletedTask;
            }

            waiter = Enqueue();
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var abandoned = (Waiter)state!;
                if (abandoned.TryAbandon())
                {
                    abandoned.TrySetCanceled(token);
                }
            }, waiter);
        }

        return waiter.Task;
    }

    /// <summary>Blocks until the caller holds the file; throws <see cref="TimeoutException"/> after the gate's longest wait.</summary>
    public void Enter()
    {
        Waiter waiter;
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                return;
            }

            waiter = Enqueue();
        }

        // Bounded here as well as by the sweep: a writer the file's thread is running, asking for the same file again on
        // another connection, blocks the very thread that would sweep or resume it.
        if (Task.WaitAny([waiter.Task], maxWait) < 0 && waiter.TryAbandon())
        {
            throw new TimeoutException(TimeoutMessage);
        }

        waiter.Task.GetAwaiter().GetResult();
    }

    /// <summary>Takes the file only if nobody holds it now.</summary>
    public bool TryEnter()
    {
        lock (_lock)
        {
            if (_held)
            {
                return false;
            }

            _held = true;
            return true;
        }
    }

    /// <summary>Lets go of the file; the next live waiter, if any, is resumed on the file's thread.</summary>
    public void Exit()
    {
        lock (_lock)
        {
            if (_waiting.Count > 0)
            {
                HandOver();
                return;
            }
        }

        onIdle?.Invoke();
        lock (_lock)
        {
            if (_waiting.Count == 0)
            {
                _held = false;
                return;
            }

            // Someone asked while the idle work ran: theirs now.
            HandOver();
        }
    }

    void HandOver()
    {
        _handOvers++;
        Monitor.Pulse(_lock);
    }

    Waiter Enqueue()
    {
        var waiter = new Waiter(Environment.TickCount64 + (long)maxWait.TotalMilliseconds);
        _waiting.Enqueue(waiter);
        if (!_threadRunning)
        {
            _threadRunning = true;
            var thread = new Thread(Run) { IsBackground = true, Name = $"sqlite writer {name}" };

            // The thread serves every writer of the file; it must not carry the context of the one that started it.
            thread.UnsafeStart();
        }

        return waiter;
    }

    void Run()
    {
        t_isWriterThread = true;
        var idleSweeps = 0;
        while (true)
        {
            Waiter? next = null;
            List<Waiter>? expired = null;
            var idle = false;
            lock (_lock)
            {
                if (_handOvers == 0 && !Monitor.Wait(_lock, SweepInterval))
                {
                    expired = SweepExpired();
                    if (_waiting.Count == 0 && ++idleSweeps >= IdleSweepsBeforeExit)
                    {
                        _threadRunning = false;
                        return;
                    }
                }

                if (_handOvers > 0)
                {
                    idleSweeps = 0;
                    _handOvers--;
                    while (next is null && _waiting.TryDequeue(out var waiter))
                    {
                        if (waiter.TryGrant())
                        {
                            next = waiter;
                        }
                    }

                    // Every waiter gave up: the file is left, after the idle work, unless someone asks meanwhile.
                    idle = next is null;
                }
            }

            if (idle)
            {
                onIdle?.Invoke();
                lock (_lock)
                {
                    if (_waiting.Count == 0)
                    {
                        _held = false;
                    }
                    else
                    {
                        _handOvers++;
                    }
                }
            }

            if (expired is not null)
            {
                foreach (var waiter in expired)
                {
                    waiter.Registration.Dispose();
                    waiter.TrySetException(new TimeoutException(TimeoutMessage));
                }
            }

            // Runs the writer's continuation here, up to its first real wait or the end of its transaction.
            next?.Resume();
        }
    }

    List<Waiter>? SweepExpired()
    {
        List<Waiter>? expired = null;
        var now = Environment.TickCount64;
        foreach (var waiter in _waiting)
        {
            if (waiter.Deadline <= now && waiter.TryAbandon())
            {
                (expired ??= []).Add(waiter);
            }
        }

        return expired;
    }

    /// <summary>
    /// A writer waiting for the file. Its continuation runs where it is resumed (no asynchronous continuations): that is
    /// the point, the file's thread runs it at once.
    /// </summary>
    sealed class Waiter(long deadline) : TaskCompletionSource
    {
        const int Waiting = 0;
        const int Granted = 1;
        const int Abandoned = 2;

        int _state;

        public long Deadline { get; } = deadline;

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>The file is handed to this waiter, unless it gave up first (cancelled, timed out).</summary>
        public bool TryGrant() => Interlocked.CompareExchange(ref _state, Granted, Waiting) == Waiting;

        public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Waiting) == Waiting;

        public void Resume()
        {
            Registration.Dispose();
            TrySetResult();
        }
    }
}
