// The factorized SuperSpike engine inside a cpp_standalone binary.
//
// The algorithm, steps F1-F7, is stated in docs/factorized.md; the comments
// below cite those steps. Python counterpart: superspike_brian/engines/
// factorized_math.py (the accumulator of one update interval as sums over steps
// of per-neuron signals); superspike_brian/engines/factorized_cpp.py says how
// Brian2 code calls this file.
// This file goes one step further than the Python engine: the presynaptic trace
// zt_j is a linear filter of the trace increments of unit j, and the hidden
// error is a linear filter of the output error increments, so both are
// reconstructed from their state at the start of the interval and from their
// increments ("events"). The sums over steps then cost O(n_post) per
// presynaptic event instead of O(n_post * n_pre) per step.
//
// Per step, one call at the start of the step (after the surrogate derivative)
// and one just after the state update hand over the state arrays of all groups:
//   start_step(t), then post(l, sp, zh), trace(l, z, zt), error(er, err)
//       at the start of step t: surrogate derivative (and regularizer trace)
//       of layer l >= 1, trace of layer l < L, output error trace
//   after(l, x)  z (l < L) or er (l == L) after the state update; the value at
//       the next start minus this one is the increment of the step
// and, after the state update of the last step of every update interval
// (interval_ends()), for every connection l:
//   load(l, w, fb, rho, lam_r, lam)   weights, feedback weights, regularizer
//                                     strength and carried state from Brian2
//   compute()                         F2-F6 of every connection
//   store(l, lam_r, lam, m)           the carried state and the accumulators m
//                                     (s) back into the synapses' arrays
// The optimizer's ordinary update code (F7) then reads m at the start of the
// next step. All state that outlives an interval is in Brian2's arrays, so a
// binary run block by block carries it like any other state variable.
//
// Index conventions: connection l (1..L) goes from layer l-1 to layer l; per
// synapse arrays are stored presynaptic-major, [i_pre * n_post + j_post], the
// order of the Brian2 synapses.
#ifndef SUPERSPIKE_FACTORIZED_ENGINE_H
#define SUPERSPIKE_FACTORIZED_ENGINE_H

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstddef>
#include <cstdlib>
#include <vector>

namespace superspike_fx {

struct Event {
    int64_t step;  // local step q of the increment (it acts from step q + 1 on)
    int unit;
    double size;
};

class Engine {
  public:
    bool ready = false;

    void configure(int L, const int *sizes, int n_steps, double dt, double tau_rise,
                   double tau_decay, int symmetric, double a_exp, const int *regularized) {
        L_ = L;
        sizes_.assign(sizes, sizes + L + 1);
        N_ = n_steps;
        dt_ = dt;
        a_ = std::exp(-dt / tau_rise);
        b_ = std::exp(-dt / tau_decay);
        // Exact one-step map of dz/dt = -z/tau_rise, tau_decay dzt/dt = z - zt
        // (and of er, err): (z, zt) <- (a z, b zt + d z).
        d_ = tau_rise == tau_decay ? dt / tau_decay * a_
                                   : tau_rise / (tau_rise - tau_decay) * (a_ - b_);
        symmetric_ = symmetric != 0;
        a_exp_ = a_exp;
        regularized_.assign(regularized, regularized + L + 1);
        kernels();
        sp_.resize(L + 1);
        zpow_.resize(L + 1);
        after_.resize(L + 1);
        x0_.resize(L + 1);
        events_.resize(L + 1);
        W_.resize(L + 1);
        fb_.resize(L + 1);
        lam_r_.resize(L + 1);
        lam_.resize(L + 1);
        m_.resize(L + 1);
        rho_.assign(L + 1, 0.0);
        E_.resize(L + 1);
        for (int l = 0; l <= L; ++l) {
            const size_t n = sizes_[l];
            after_[l].assign(n, 0.0);
            if (l >= 1) {
                sp_[l].assign((size_t)N_ * n, 0.0);
                zpow_[l].assign(n, 0.0);
                E_[l].assign((size_t)N_ * n, 0.0);
                const size_t n_syn = (size_t)sizes_[l - 1] * n;
                W_[l].assign(n_syn, 0.0);
                fb_[l].assign(n_syn, 1.0);
                lam_r_[l].assign(n_syn, 0.0);
                lam_[l].assign(n_syn, 0.0);
                m_[l].assign(n_syn, 0.0);
            }
            x0_[l].assign(2 * n, 0.0);
        }
        ready = true;
    }

    void start_step(int64_t t) {
        s_ = local(t);
        if (s_ + 1 > T_) T_ = s_ + 1;
    }

    // F1: the surrogate derivative (and regularizer trace) of layer l at step s_.
    template <typename F>
    void post(int l, const F *sp, const F *zh) {
        const int n = sizes_[l];
        double *out = &sp_[l][(size_t)s_ * n];
        for (int i = 0; i < n; ++i) out[i] = sp[i];
        if (regularized_[l]) {
            double *zp = zpow_[l].data();
            for (int i = 0; i < n; ++i) zp[i] += std::pow((double)zh[i], a_exp_);
        }
    }

    // A two-state trace of layer l: the presynaptic (z, zt) of l < L, the
    // output error (er, err) of l == L. Its state at the start of the interval
    // and its increments are all the engine needs.
    template <typename F>
    void trace(int l, const F *x, const F *xt) {
        if (s_ == 0) {
            double *x0 = x0_[l].data();
            for (int i = 0, n = sizes_[l]; i < n; ++i) {
                x0[2 * i] = x[i];
                x0[2 * i + 1] = xt[i];
            }
        } else {
            increments(l, x);
        }
    }

    template <typename F>
    void error(const F *er, const F *err) {
        const int n = sizes_[L_];
        double *E = &E_[L_][(size_t)s_ * n];
        for (int i = 0; i < n; ++i) E[i] = err[i];
        trace(L_, er, err);
    }

    template <typename F>
    void after(int l, const F *x) {
        double *a = after_[l].data();
        for (int i = 0, n = sizes_[l]; i < n; ++i) a[i] = x[i];
    }

    // True after the state update of the last step of an update interval: the
    // accumulators are computed now (F2-F6), so that the optimizer's update at
    // the start of the next step (F7) finds them in the synapses' m, and a
    // binary that stops here hands on nothing but Brian2's own arrays.
    bool interval_ends() const { return s_ == N_ - 1; }

    // The connection's weights (V), fixed feedback weights, regularizer strength
    // (1/V) and carried eligibility state, from the synapses' arrays.
    template <typename FW, typename FF>
    void load(int l, const FW *w, const FF *fb, double rho, const double *lam_r,
              const double *lam) {
        const size_t n_syn = W_[l].size();
        for (size_t k = 0; k < n_syn; ++k) {
            W_[l][k] = (double)w[k] * 1e3;  // mV as plain numbers, like the Python engine
            fb_[l][k] = fb[k];
            lam_r_[l][k] = lam_r[k];
            lam_[l][k] = lam[k];
        }
        rho_[l] = rho * 1e-3;  // per mV
    }

    // F2-F6 for every connection of the interval that ends with this step.
    void compute() {
        const int64_t T = T_;
        hidden_errors(T);
        for (int l = 1; l <= L_; ++l) connection(l, T);
        for (int l = 0; l <= L_; ++l) events_[l].clear();
        for (int l = 1; l <= L_; ++l) std::fill(zpow_[l].begin(), zpow_[l].end(), 0.0);
        start_ += N_;
        T_ = 0;
    }

    // The accumulators and the carried eligibility state, into the synapses' arrays.
    void store(int l, double *lam_r, double *lam, double *m) const {
        const size_t n_syn = m_[l].size();
        for (size_t k = 0; k < n_syn; ++k) {
            lam_r[k] = lam_r_[l][k];
            lam[k] = lam_[l][k];
            m[k] = m_[l][k];
        }
    }

  private:
    int L_ = 0, N_ = 0;
    // Symmetric feedback follows the forward weights; otherwise the fixed
    // matrix stored with the forward synapses (random draw, or ones for
    // uniform feedback): superspike_brian.model.feedback.FEEDBACK_MATRIX.
    bool symmetric_ = false;
    double dt_ = 0, a_ = 0, b_ = 0, d_ = 0, a_exp_ = 4;
    std::vector<int> sizes_, regularized_;
    // Kernels of the per-synapse (lam_r, lam) recursions (factorized._responses).
    std::vector<double> h_r_, h_, c1_, c2_, f_r_;
    int64_t start_ = 0, T_ = 0, s_ = 0;
    std::vector<double> rho_;
    std::vector<std::vector<double>> sp_, zpow_, after_, x0_, W_, fb_, lam_r_, lam_, m_, E_;
    std::vector<std::vector<Event>> events_;

    // F1': increments of step s_ - 1: this start value minus the value after that
    // step's state update (exactly 0 where nothing happened).
    template <typename F>
    void increments(int l, const F *x) {
        const double *a = after_[l].data();
        for (int i = 0, n = sizes_[l]; i < n; ++i) {
            const double inc = (double)x[i] - a[i];
            if (inc != 0.0) events_[l].push_back({s_ - 1, i, inc});
        }
    }

    int64_t local(int64_t t) const {
        const int64_t s = t - start_;
        if (s < 0 || s >= N_) {
            std::fprintf(stderr,
                         "superspike factorized engine: step %lld outside the update interval "
                         "starting at %lld (%d steps)\n",
                         (long long)t, (long long)start_, N_);
            std::abort();
        }
        return s;
    }

    void kernels() {
        // F3: the scalar recursions exactly as the per-synapse update writes them.
        h_r_.assign(N_ + 1, 0.0);
        h_.assign(N_ + 1, 0.0);
        c1_.assign(N_ + 1, 0.0);
        c2_.assign(N_ + 1, 0.0);
        f_r_.assign(N_ + 1, 0.0);
        double r[3] = {0.0, 1.0, 0.0}, q[3] = {0.0, 0.0, 1.0};
        for (int k = 0; k <= N_; ++k) {
            h_r_[k] = r[0];
            f_r_[k] = r[1];
            h_[k] = q[0];
            c1_[k] = q[1];
            c2_[k] = q[2];
            for (int c = 0; c < 3; ++c) {
                const double x = (k == 0 && c == 0) ? 1.0 : 0.0;
                const double r_new = x + (r[c] - x) * a_;
                const double q_new = r[c] + (q[c] - r[c]) * b_;
                r[c] = r_new;
                q[c] = q_new;
            }
        }
    }

    // Feedback matrix F_l (n_l x n_{l-1}) entry (k, i): how the error of unit k
    // of layer l reaches unit i of layer l-1.
    double feedback_weight(int l, int k, int i) const {
        const size_t idx = (size_t)i * sizes_[l] + k;
        return symmetric_ ? W_[l][idx] : fb_[l][idx];
    }

    // F2: hidden errors of the interval: E_l(s) = err(s) G_l with G_{L-1} = F_L and
    // G_l = G_{l+1} F_{l+1}. The output error trace is the (er, err) filter of
    // its increments, so E_l is that same filter of the G-weighted increments.
    void hidden_errors(int64_t T) {
        const int nL = sizes_[L_];
        std::vector<double> G, G_next;  // (n_L x n_l), row-major
        for (int l = L_ - 1; l >= 1; --l) {
            const int n = sizes_[l];
            G.assign((size_t)nL * n, 0.0);
            if (l == L_ - 1) {
                for (int k = 0; k < nL; ++k)
                    for (int i = 0; i < n; ++i) G[(size_t)k * n + i] = feedback_weight(L_, k, i);
            } else {
                const int nm = sizes_[l + 1];
                for (int k = 0; k < nL; ++k)
                    for (int p = 0; p < nm; ++p) {
                        const double g = G_next[(size_t)k * nm + p];
                        if (g == 0.0) continue;
                        for (int i = 0; i < n; ++i)
                            G[(size_t)k * n + i] += g * feedback_weight(l + 1, p, i);
                    }
            }
            std::vector<double> u1(n, 0.0), u2(n, 0.0);
            for (int k = 0; k < nL; ++k) {
                const double er = x0_[L_][2 * k], err = x0_[L_][2 * k + 1];
                for (int i = 0; i < n; ++i) {
                    u1[i] += G[(size_t)k * n + i] * er;
                    u2[i] += G[(size_t)k * n + i] * err;
                }
            }
            const std::vector<Event> &ev = events_[L_];
            size_t e = 0;
            double *E = E_[l].data();
            for (int64_t s = 0; s < T; ++s) {
                for (int i = 0; i < n; ++i) E[(size_t)s * n + i] = u2[i];
                for (int i = 0; i < n; ++i) {
                    u2[i] = b_ * u2[i] + d_ * u1[i];
                    u1[i] = a_ * u1[i];
                }
                for (; e < ev.size() && ev[e].step == s; ++e)
                    for (int i = 0; i < n; ++i) u1[i] += ev[e].size * G[(size_t)ev[e].unit * n + i];
            }
            G_next.swap(G);
        }
    }

    void connection(int l, int64_t T) {
        const int n = sizes_[l], p = sizes_[l - 1];
        const double *sp = sp_[l].data(), *E = E_[l].data();
        const size_t n_syn = (size_t)p * n;
        // Per postsynaptic unit: the error filtered backward through the
        // eligibility kernel (et = y2), the free-decay weights A, B, and the
        // three left factors L_1 = sp et, L_2 = sp h_r(T - s), L_3 = sp h(T - s)
        // whose sums against zt give m and the carried lam_r, lam.
        std::vector<double> A(n, 0.0), B(n, 0.0), y1(n, 0.0), y2(n, 0.0);
        // Backward recursion of the (z, zt) filter on each left factor: R(q) =
        // L(q+1) e_zt^T + R(q+1) M. R(q)[0] is what an increment of z at step q
        // adds to the sum; R(-1) multiplies the state at the start of the
        // interval. The increments are applied as the recursion passes their
        // step, so nothing of size T x n is stored.
        std::vector<double> R1(3 * n, 0.0), R2(3 * n, 0.0);
        std::vector<double> S(3 * n_syn, 0.0);  // [f][j][i]
        const std::vector<Event> &ev = events_[l - 1];
        ptrdiff_t e = (ptrdiff_t)ev.size() - 1;
        while (e >= 0 && ev[e].step >= T - 1) --e;  // they act from the next interval on
        for (int64_t s = T - 1; s >= 0; --s) {
            // F4: et(s) = Y2(s) with Y1(T-1) = Y2(T-1) = 0 and
            // Y1(s) = a Y1(s+1) + (1-a) E(s+1), Y2(s) = b Y2(s+1) + (1-b) Y1(s+1).
            if (s < T - 1) {
                const double *En = E + (size_t)(s + 1) * n;
                for (int i = 0; i < n; ++i) {
                    const double y1_new = a_ * y1[i] + (1.0 - a_) * En[i];
                    y2[i] = b_ * y2[i] + (1.0 - b_) * y1[i];
                    y1[i] = y1_new;
                }
            }
            const double *sps = sp + (size_t)s * n, *Es = E + (size_t)s * n;
            const double hr = h_r_[T - s], hh = h_[T - s], k1 = c1_[s], k2 = c2_[s];
            for (int i = 0; i < n; ++i) {
                A[i] += k1 * Es[i];
                B[i] += k2 * Es[i];
            }
            // R(s-1) from R(s) and L(s), for the three left factors.
            for (int f = 0; f < 3; ++f) {
                double *r1 = &R1[f * n], *r2 = &R2[f * n];
                const double *g = f == 0 ? y2.data() : nullptr;  // et(s), else a constant
                const double h = f == 1 ? hr : hh;
                for (int i = 0; i < n; ++i) {
                    const double left = sps[i] * (g ? g[i] : h);
                    const double r1_new = r1[i] * a_ + r2[i] * d_;
                    r2[i] = left + r2[i] * b_;
                    r1[i] = r1_new;
                }
            }
            for (; e >= 0 && ev[e].step == s - 1; --e) {
                const double inc = ev[e].size;
                for (int f = 0; f < 3; ++f) {
                    double *Sj = &S[f * n_syn + (size_t)ev[e].unit * n];
                    const double *r1 = &R1[f * n];
                    for (int i = 0; i < n; ++i) Sj[i] += inc * r1[i];
                }
            }
        }
        // F5, F6: plus R(-1) . x0_j, the free response to the state at the start.
        const double *x0 = x0_[l - 1].data();
        for (int j = 0; j < p; ++j) {
            const double z0 = x0[2 * j], zt0 = x0[2 * j + 1];
            if (z0 == 0.0 && zt0 == 0.0) continue;
            for (int f = 0; f < 3; ++f) {
                double *Sj = &S[f * n_syn + (size_t)j * n];
                const double *r1 = &R1[f * n], *r2 = &R2[f * n];
                for (int i = 0; i < n; ++i) Sj[i] += r1[i] * z0 + r2[i] * zt0;
            }
        }
        double *m = m_[l].data(), *lam_r = lam_r_[l].data(), *lam = lam_[l].data();
        const double *W = W_[l].data(), *zp = zpow_[l].data();
        const bool reg = regularized_[l] && rho_[l] != 0.0;
        const double fr = f_r_[T], k1 = c1_[T], k2 = c2_[T];
        for (int j = 0; j < p; ++j) {
            for (int i = 0; i < n; ++i) {
                const size_t k = (size_t)j * n + i;
                // F5: the accumulator; F6: the state carried into the next interval.
                double drive = S[k] + A[i] * lam_r[k] + B[i] * lam[k];
                if (reg) drive -= rho_[l] * W[k] * zp[i];
                m[k] = dt_ * drive;
                const double lr_new = fr * lam_r[k] + S[n_syn + k];
                const double l_new = k1 * lam_r[k] + k2 * lam[k] + S[2 * n_syn + k];
                lam_r[k] = lr_new;
                lam[k] = l_new;
            }
        }
    }
};

// One engine per process, shared by every code object (an inline function's
// static has one instance across translation units).
inline Engine &engine() {
    static Engine e;
    return e;
}

}  // namespace superspike_fx

#endif
