using System.Runtime.CompilerServices;

namespace Zagg.Grid;

/// <summary>A vector in 3-space; on the unit sphere, a direction (x towards lon 0, z towards the north pole).</summary>
public readonly record struct Vec3(double X, double Y, double Z)
{
    /// <summary>The unit vector of (z = cos θ, φ); sin θ is taken when given, else derived from z.</summary>
    public static Vec3 FromZPhi(double z, double phi, double sinTheta, bool haveSinTheta)
    {
        double st = haveSinTheta ? sinTheta : Math.Sqrt((1.0 - z) * (1.0 + z));
        (double sp, double cp) = Math.SinCos(phi);
        return new Vec3(st * cp, st * sp, z);
    }

    /// <summary>The unit vector of a spherical latitude and longitude in radians.</summary>
    public static Vec3 FromLatLonRadians(double lat, double lon)
    {
        (double sl, double cl) = Math.SinCos(lat);
        (double sp, double cp) = Math.SinCos(lon);
        return new Vec3(cl * cp, cl * sp, sl);
    }

    /// <summary>Spherical latitude of the direction, radians in [−π/2, π/2].</summary>
    public double Latitude => Math.Atan2(Z, Math.Sqrt(X * X + Y * Y));

    /// <summary>Longitude of the direction, radians in (−π, π]; 0 at the poles.</summary>
    public double Longitude => X == 0 && Y == 0 ? 0.0 : Math.Atan2(Y, X);

    /// <summary>z and φ ∈ [0, 2π) of the direction, with sin θ, for <see cref="HealpixNested.FromZPhi"/>.</summary>
    public void ToZPhi(out double z, out double phi, out double sinTheta)
    {
        double r = Length;
        double rxy = Math.Sqrt(X * X + Y * Y);
        z = Z / r;
        sinTheta = rxy / r;
        phi = X == 0 && Y == 0 ? 0.0 : Math.Atan2(Y, X);
        if (phi < 0) phi += 2 * Math.PI;
    }

    public double Length
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Math.Sqrt(X * X + Y * Y + Z * Z);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Dot(Vec3 o) => X * o.X + Y * o.Y + Z * o.Z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vec3 Cross(Vec3 o) => new(Y * o.Z - Z * o.Y, Z * o.X - X * o.Z, X * o.Y - Y * o.X);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vec3 Normalized()
    {
        double l = Length;
        return new Vec3(X / l, Y / l, Z / l);
    }

    /// <summary>The angle between two directions, radians in [0, π]; accurate at every size.</summary>
    public double AngleTo(Vec3 o) => Math.Atan2(Cross(o).Length, Dot(o));

    public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static Vec3 operator -(Vec3 a) => new(-a.X, -a.Y, -a.Z);
    public static Vec3 operator *(double s, Vec3 a) => new(s * a.X, s * a.Y, s * a.Z);
}
