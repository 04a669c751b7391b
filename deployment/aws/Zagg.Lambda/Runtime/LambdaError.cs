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

    /// <summary>
    /// The error of an exception: its type's name and one line of message (Zagg.Cloud's <c>S3Errors.OneLine</c>: a
    /// missing AWS credential chain said as such, else the innermost message's first line).
    /// </summary>
    public static LambdaError From(Exception e) => new(Zagg.Cloud.S3Errors.OneLine(e), e.GetType().Name);
}
