using MassTransit;

namespace Etter.Benchmarks.Embedded;

/// <summary>Counts what the in-memory bus carries: messages sent or published, and deliveries to consumers.</summary>
public sealed class BusMessageCounter : IConsumeObserver, ISendObserver, IPublishObserver
{
    long _published;
    long _sent;
    long _consumed;
    long _faults;

    public long Published => Interlocked.Read(ref _published);

    public long Sent => Interlocked.Read(ref _sent);

    public long Consumed => Interlocked.Read(ref _consumed);

    public long Faults => Interlocked.Read(ref _faults);

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        Interlocked.Increment(ref _consumed);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class
    {
        Interlocked.Increment(ref _consumed);
        Interlocked.Increment(ref _faults);
        return Task.CompletedTask;
    }

    public Task PreSend<T>(SendContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostSend<T>(SendContext<T> context)
        where T : class
    {
        Interlocked.Increment(ref _sent);
        return Task.CompletedTask;
    }

    public Task SendFault<T>(SendContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;

    public Task PrePublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class
    {
        Interlocked.Increment(ref _published);
        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
