/* stats.c: mean and Student's t 95 % confidence interval over seeds.
 *
 * The runs of one point differ only in their seed: their metrics are
 * independent samples, and the interval for the mean is
 * mean ± t(0.975, n-1) · s / √n with s the sample standard deviation
 * (Student's t: the seeds are few, so not the normal 1.96).  The quantile
 * is computed, not tabulated: bisection on the two-sided tail
 * P(|T| > t) = I_{df/(df+t²)}(df/2, 1/2), the regularized incomplete beta
 * function evaluated by its continued fraction (Lentz's method).
 */
#include "config.h"

#include <math.h>

#include "rahtisim/sweep.h"

/* The continued fraction of the incomplete beta function. */
static double
beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-15;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 500; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < eps)
            break;
    }
    return h;
}

/* The regularized incomplete beta function I_x(a, b). */
static double
beta_inc(double a, double b, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    double bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1.0) / (a + b + 2.0))
        return bt * beta_cf(a, b, x) / a;
    return 1.0 - bt * beta_cf(b, a, 1.0 - x) / b;
}

/* P(|T| > t) for Student's t with df degrees of freedom. */
static double
t_two_tail(double t, double df)
{
    return beta_inc(df / 2.0, 0.5, df / (df + t * t));
}

double
rs_student_t95(unsigned df)
{
    static double cache[512];
    if (df == 0)
        return 0.0;
    if (df < G_N_ELEMENTS(cache) && cache[df] > 0.0)
        return cache[df];
    double lo = 0.0, hi = 1000.0;   /* t(0.975, 1) = 12.7: far inside */
    for (int i = 0; i < 200 && hi - lo > 1e-13; i++) {
        double mid = 0.5 * (lo + hi);
        if (t_two_tail(mid, df) > 0.05)
            lo = mid;
        else
            hi = mid;
    }
    double t = 0.5 * (lo + hi);
    if (df < G_N_ELEMENTS(cache))
        cache[df] = t;
    return t;
}

void
rs_mean_ci95(const double *x, unsigned n, double *mean, double *half)
{
    double sum = 0.0;
    for (unsigned i = 0; i < n; i++)
        sum += x[i];
    *mean = n > 0 ? sum / n : NAN;
    *half = NAN;
    if (n < 2)
        return;
    double ss = 0.0;
    for (unsigned i = 0; i < n; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    double sd = sqrt(ss / (n - 1));
    *half = rs_student_t95(n - 1) * sd / sqrt((double)n);
}
