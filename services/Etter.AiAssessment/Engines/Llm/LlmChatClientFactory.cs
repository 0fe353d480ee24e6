using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace Etter.AiAssessment.Engines.Llm;

/// <summary>Creates the <see cref="IChatClient"/> for an OpenAI-compatible server from <see cref="LlmOptions"/>.</summary>
public static class LlmChatClientFactory
{
    public static IChatClient Create(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();

        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(options.BaseUrl!.Trim().TrimEnd('/')),
            // The engine retries by itself, so that retries, backoff and heartbeats are under its control.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            // The engine enforces Timeout per call too (on its TimeProvider); this keeps the transport from
            // giving up earlier than that on its own 100 s default.
            NetworkTimeout = options.Timeout,
        };

        var hasKey = !string.IsNullOrWhiteSpace(options.ApiKey);
        if (!hasKey)
        {
            clientOptions.AddPolicy(new DropAuthorizationPolicy(), PipelinePosition.BeforeTransport);
        }

        // The client insists on a credential; without a key the placeholder never leaves the process.
        var credential = new ApiKeyCredential(hasKey ? options.ApiKey!.Trim() : "no-key");
        return new ChatClient(options.Model!.Trim(), credential, clientOptions).AsIChatClient();
    }

    /// <summary>Sends no Authorization header, for local servers (Ollama, vLLM without --api-key) that need no key.</summary>
    sealed class DropAuthorizationPolicy : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Remove("Authorization");
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Remove("Authorization");
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}
