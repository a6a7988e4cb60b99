/* bench.c - `make bench`: engine throughput on a synthetic network where
 * every agent travels one link and decides every day.
 *
 * The network is a ladder of ROWS x COLS transit places, 10 km apart, with
 * links north and north-east/north-west (bus, one day per link) and a US
 * sector beyond the last row, so no agent arrives during the benchmark.
 * N agents start in the first row; each day each of them chooses among up
 * to three outgoing links by the corridor route weights and travels one.
 * Each configuration runs in its own child process so that peak memory is
 * measured per configuration.  Prints figures; never fails on timing.
 *
 * usage: corredor_bench [AGENTS ...]      (default: 1000000 10000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/calendar.h"
#include "engine/rules.h"
#include "engine/sim.h"

enum { ROWS = 120, COLS = 5, DAYS = 30 };

static int write_scenario(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "meta: {name: bench, description: synthetic ladder, start: 2030-01-01, end: 2030-01-%02d, seed: 1, "
               "scale: 1}\n",
            DAYS);
    fprintf(f, "parameters:\n"
               "  speed_bus: {value: 20, assumed: [1, 100], note: bench}\n"
               "  speed_foot: {value: 20, assumed: [1, 100], note: bench}\n"
               "  route_detour_km: {value: 50, assumed: [1, 1000], note: bench}\n"
               "  route_risk_aversion: {value: 1, assumed: [0, 5], note: bench}\n"
               "  transit_wait_days: {value: 0, assumed: [0, 5], note: bench}\n"
               "places:\n");
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++)
            fprintf(f, "  - {id: p%d_%d, name: P%d_%d, country: MX, kind: %s, lat: %.4f, lon: %.4f, source: bench}\n",
                    r, c, r, c, r == 0 ? "origin" : "transit", 10.0 + r * 0.09, -100.0 + c * 0.09);
    fprintf(f, "  - {id: us, name: Sector, country: US, kind: us_sector, lat: %.4f, lon: -99.8, source: bench}\n",
            10.0 + ROWS * 0.09);
    fprintf(f, "links:\n");
    for (int r = 0; r + 1 < ROWS; r++)
        for (int c = 0; c < COLS; c++)
            for (int dc = -1; dc <= 1; dc++)
                if (c + dc >= 0 && c + dc < COLS)
                    fprintf(f, "  - {from: p%d_%d, to: p%d_%d, mode: bus, km: %d, risk: %.2f, oneway: true}\n", r, c,
                            r + 1, c + dc, dc ? 14 : 10, 0.1 * (c % 3));
    for (int c = 0; c < COLS; c++)
        fprintf(f, "  - {from: p%d_%d, to: us, mode: foot, km: 10, oneway: true}\n", ROWS - 1, c);
    fprintf(f, "populations:\n  - {id: g, name: G, origins: [{place: p0_0, share: 1}], "
               "split: {single_adults: 1, family_members: 0, unaccompanied_children: 0}, demand: {2030-01: 0}, "
               "source: bench}\n");
    return fclose(f);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int run_one(const char *path, long long agents, int threads)
{
    cor_scenario *sc = NULL;
    if (cor_scenario_load(path, &sc)) {
        fprintf(stderr, "bench: %s\n", sc ? cor_scenario_errmsg(sc) : "out of memory");
        return 1;
    }
    cor_sim *sim = cor_sim_new();
    cor_options opt = {.threads = threads};
    if (!sim || cor_sim_init(sim, sc, &opt)) {
        fprintf(stderr, "bench: %s\n", cor_sim_errmsg(sim));
        return 1;
    }
    for (int c = 0; c < COLS; c++)
        if (cor_spawn(sim, agents / COLS + (c < agents % COLS), 0, 0, c)) {
            fprintf(stderr, "bench: %s\n", cor_sim_errmsg(sim));
            return 1;
        }
    double t0 = now_s();
    if (cor_sim_run(sim)) {
        fprintf(stderr, "bench: %s\n", cor_sim_errmsg(sim));
        return 1;
    }
    double dt = now_s() - t0;
    cor_perf pf;
    cor_sim_perf(sim, &pf);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double peak = (double)ru.ru_maxrss * 1024.0;
    printf("%10lld agents  %d thread%s  %6.2f s  %7.1f M agent-days/s  %7.1f M decisions/s  "
           "%3zu B/agent (arrays)  %5.1f B/agent (peak RSS)  peak %.0f MiB\n",
           agents, threads, threads > 1 ? "s" : " ", dt, (double)pf.agent_days / dt / 1e6,
           (double)pf.decisions / dt / 1e6, cor_agents_bytes_per_agent(&sim->agents), peak / (double)agents,
           peak / 1048576.0);
    fflush(stdout);
    cor_sim_free(sim);
    cor_scenario_free(sc);
    return 0;
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/corredor_bench_XXXXXX", path[64];
    if (!mkdtemp(dir)) {
        perror("bench: cannot make a temporary folder");
        return 1;
    }
    snprintf(path, sizeof path, "%s/bench.yaml", dir);
    if (write_scenario(path)) {
        perror("bench: cannot write the synthetic scenario");
        return 1;
    }
    long long sizes[8] = {1000000, 10000000};
    int n_sizes = 2;
    if (argc > 1) {
        n_sizes = 0;
        for (int i = 1; i < argc && n_sizes < 8; i++)
            sizes[n_sizes++] = atoll(argv[i]);
    }
    printf("corredor %s benchmark: %d x %d ladder, %d days, every agent decides and travels daily\n",
           cor_version(), ROWS, COLS, DAYS);
    fflush(stdout);
    int bad = 0;
    for (int s = 0; s < n_sizes; s++)
        for (int threads = 1; threads <= 2; threads++) {
            pid_t pid = fork();
            if (pid == 0)
                _exit(run_one(path, sizes[s], threads));
            int st = 0;
            if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
                bad = 1;
        }
    unlink(path);
    rmdir(dir);
    return bad;
}
