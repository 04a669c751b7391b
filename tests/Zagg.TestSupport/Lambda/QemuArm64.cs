namespace Zagg.TestSupport.Lambda;

/// <summary>
/// How a linux-arm64 <c>bootstrap</c> runs on an x64 machine: under Debian's <c>qemu-aarch64-static</c> (qemu-user-static),
/// with the arm64 C libraries of the cross packages as its sysroot (<c>-L /usr/aarch64-linux-gnu</c>: libc6-arm64-cross,
/// libstdc++6-arm64-cross, libgcc-s1-arm64-cross) and an arm64 OpenSSL (.NET's networking dlopens <c>libssl.so.3</c>)
/// from Debian's <c>libssl3:arm64</c> unpacked with <c>dpkg -x</c> into <see cref="LibsslRoot"/> (no system folder written).
/// The one place the test and the benchmark take the emulator's command line from.
/// </summary>
public static class QemuArm64
{
    /// <summary>The emulator.</summary>
    public const string Qemu = "/usr/bin/qemu-aarch64-static";

    /// <summary>The arm64 C library sysroot of Debian's cross packages.</summary>
    public const string Sysroot = "/usr/aarch64-linux-gnu";

    /// <summary>The folder <c>libssl3:arm64</c> was unpacked into (<c>dpkg -x libssl3_*_arm64.deb DIR</c>): <c>ZAGG_ARM64_LIBSSL</c>, default <c>/opt/zagg-arm64</c> (what .ci/run prepares).</summary>
    public static string LibsslRoot => Environment.GetEnvironmentVariable("ZAGG_ARM64_LIBSSL") is { Length: > 0 } d ? d : "/opt/zagg-arm64";

    /// <summary>The folder holding the arm64 <c>libssl.so.3</c> and <c>libcrypto.so.3</c>, given to the guest as <c>LD_LIBRARY_PATH</c>.</summary>
    public static string LibsslDirectory => Path.Combine(LibsslRoot, "usr", "lib", "aarch64-linux-gnu");

    /// <summary>Why an arm64 bootstrap cannot run here (with the command that fixes it), or null when it can.</summary>
    public static string? Missing()
    {
        if (!File.Exists(Qemu) || !File.Exists(Path.Combine(Sysroot, "lib", "libstdc++.so.6")))
            return "qemu-aarch64-static or the arm64 cross libraries are missing (apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross)";
        if (!File.Exists(Path.Combine(LibsslDirectory, "libssl.so.3")) || !File.Exists(Path.Combine(LibsslDirectory, "libcrypto.so.3")))
            return $"no arm64 libssl.so.3 in {LibsslDirectory} (the emulated bootstrap aborts with 'No usable version of libssl was found'): "
                + "dpkg --add-architecture arm64 && apt-get update && apt-get download libssl3:arm64 && dpkg -x libssl3_*_arm64.deb " + LibsslRoot
                + " (or set ZAGG_ARM64_LIBSSL to the folder it was unpacked into)";
        return null;
    }

    /// <summary>The emulator's arguments that run <paramref name="bootstrap"/> (a linux-arm64 executable) with the sysroot and the arm64 OpenSSL.</summary>
    public static string[] Arguments(string bootstrap) => ["-L", Sysroot, "-E", "LD_LIBRARY_PATH=" + LibsslDirectory, bootstrap];
}
