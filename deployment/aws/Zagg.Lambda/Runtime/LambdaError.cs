using System.Text.Json.Serialization;

namespace Zagg.Lambda.Runtime;

/// <summary>
/// The error document the Runtime API takes at <c>/runtime/invocation/ID/error</c> and <c>/runtime/init/error</c>:
/// <c>{"errorMessage": …, "errorType": …, "stackTrace": […]}</c>, with the type repeated in the
/// <c>Lambda-Runtime-Function-Error-Type</c> header. Zagg sends no stack trace (one line says what failed), and the
/// message never holds a credential (docs/security.md).
/// </summary>
public sealed record LambdaError(
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorType")] string ErrorType)
{
    [JsonPropertyName("stackTrace")]
    public IReadOnlyList<string> StackTrace { get; init; } = [];

    /// <summary>The error of an exception: its type's name and its message's first line.</summary>
    public static LambdaError From(Exception e)
    {
        string message = e.Message;
        int nl = message.IndexOfAny(['\r', '\n']);
        return new LambdaError(nl < 0 ? message : message[..nl], e.GetType().Name);
    }
}
