/* ensemble_exec.c - the ensemble executor: a queue of run numbers, `threads`
 * compute threads (each with its own worker: one loaded scenario, one sim at
 * a time), and the calling thread as the only writer to the store.  Remote
 * workers (MPI ranks) plug in through opts->remote and take runs from the
 * same queue. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/ensemble.h"
#include "analysis/store.h"

typedef struct done_item {
    cor_ens_result *r;
    struct done_item *next;
} done_item;

struct cor_ens_exec {
    const cor_ens_plan *plan;
    cor_store *st;
    const cor_ens_exec_opts *opts;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const uint32_t *runs;
    int n_runs, next;       /* queue: runs[next..n_runs) not yet handed out */
    int stopping;           /* after a failure: hand out nothing more */
    int local_running;      /* compute threads not yet finished */
    done_item *head, *tail; /* results waiting for the writer */
    int stored;
    int code;               /* first failure */
    char err[1024];
    double t0;
};

static double mono_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Record the first failure and stop handing out runs (caller holds mu). */
static void fail_locked(cor_ens_exec *ex, int code, const char *msg)
{
    if (ex->code == COR_OK) {
        ex->code = code;
        snprintf(ex->err, sizeof ex->err, "%s", msg);
    }
    ex->stopping = 1;
}

void cor_ens_exec_fail(cor_ens_exec *ex, int code, const char *msg)
{
    pthread_mutex_lock(&ex->mu);
    fail_locked(ex, code, msg);
    pthread_mutex_unlock(&ex->mu);
}

int cor_ens_exec_next(cor_ens_exec *ex, uint32_t *run)
{
    int got = 0;
    pthread_mutex_lock(&ex->mu);
    if (!ex->stopping && ex->next < ex->n_runs) {
        *run = ex->runs[ex->next++];
        got = 1;
    }
    pthread_mutex_unlock(&ex->mu);
    return got;
}

int cor_ens_exec_deliver(cor_ens_exec *ex, cor_ens_result *r)
{
    int rc = cor_store_write_run(ex->st, r);
    cor_ens_result_free(r);
    if (rc != COR_OK) {
        cor_ens_exec_fail(ex, rc, cor_store_errmsg(ex->st));
        return rc;
    }
    ex->stored++;
    if (ex->opts->progress)
        ex->opts->progress(ex->opts->progress_ctx, ex->stored, ex->n_runs, mono_now() - ex->t0);
    return COR_OK;
}

static void *compute(void *arg)
{
    cor_ens_exec *ex = arg;
    cor_ens_worker *w = NULL;
    int rc = cor_ens_worker_new(ex->plan, &w);
    if (rc != COR_OK)
        cor_ens_exec_fail(ex, rc, cor_ens_worker_errmsg(w));
    uint32_t run;
    while (rc == COR_OK && cor_ens_exec_next(ex, &run)) {
        cor_ens_result *r = NULL;
        rc = cor_ens_worker_run(w, run, &r);
        if (rc != COR_OK) {
            cor_ens_exec_fail(ex, rc, cor_ens_worker_errmsg(w));
            break;
        }
        done_item *d = malloc(sizeof *d);
        pthread_mutex_lock(&ex->mu);
        if (!d) {
            fail_locked(ex, COR_ENOMEM, "out of memory");
            cor_ens_result_free(r);
        } else {
            d->r = r, d->next = NULL;
            if (ex->tail)
                ex->tail->next = d;
            else
                ex->head = d;
            ex->tail = d;
        }
        pthread_cond_signal(&ex->cv);
        pthread_mutex_unlock(&ex->mu);
    }
    cor_ens_worker_free(w);
    pthread_mutex_lock(&ex->mu);
    ex->local_running--;
    pthread_cond_signal(&ex->cv);
    pthread_mutex_unlock(&ex->mu);
    return NULL;
}

int cor_ens_execute(const cor_ens_plan *plan, cor_store *st, const uint32_t *runs, int n_runs,
                    const cor_ens_exec_opts *opts, char *err, size_t errlen)
{
    cor_ens_exec ex;
    memset(&ex, 0, sizeof ex);
    ex.plan = plan, ex.st = st, ex.opts = opts, ex.runs = runs, ex.n_runs = n_runs;
    ex.t0 = mono_now();
    /* no compute thread at all only when remote workers do the runs */
    int threads = opts->threads < 1 ? (opts->remote ? 0 : 1) : opts->threads;
    if (threads > n_runs)
        threads = n_runs;
    pthread_t *tid = calloc((size_t)(threads > 0 ? threads : 1), sizeof *tid);
    if (!tid) {
        snprintf(err, errlen, "out of memory");
        return COR_ENOMEM;
    }
    if (pthread_mutex_init(&ex.mu, NULL) || pthread_cond_init(&ex.cv, NULL)) {
        free(tid);
        snprintf(err, errlen, "cannot create a mutex");
        return COR_ESTATE;
    }
    int started = 0;
    for (; started < threads; started++) {
        pthread_mutex_lock(&ex.mu);
        ex.local_running++;
        pthread_mutex_unlock(&ex.mu);
        if (pthread_create(&tid[started], NULL, compute, &ex)) {
            pthread_mutex_lock(&ex.mu);
            ex.local_running--;
            fail_locked(&ex, COR_ESTATE, "cannot start a compute thread");
            pthread_mutex_unlock(&ex.mu);
            break;
        }
    }
    int remote_active = opts->remote ? 1 : 0;
    for (;;) {
        pthread_mutex_lock(&ex.mu);
        done_item *d = ex.head;
        if (d) {
            ex.head = d->next;
            if (!ex.head)
                ex.tail = NULL;
        }
        int local = ex.local_running;
        if (!d && opts->remote == NULL && local > 0) {
            pthread_cond_wait(&ex.cv, &ex.mu);
            pthread_mutex_unlock(&ex.mu);
            continue;
        }
        pthread_mutex_unlock(&ex.mu);
        if (d) { /* even after a failure: a finished run is kept */
            cor_ens_exec_deliver(&ex, d->r);
            free(d);
            continue;
        }
        if (opts->remote && remote_active > 0) {
            int active = 0, busy = opts->remote(opts->remote_ctx, &ex, &active);
            remote_active = active;
            if (busy)
                continue;
        }
        if (local == 0 && remote_active == 0)
            break;
        struct timespec nap = {0, 1000000}; /* 1 ms: nothing to do, do not spin */
        nanosleep(&nap, NULL);
    }
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    free(tid);
    pthread_cond_destroy(&ex.cv);
    pthread_mutex_destroy(&ex.mu);
    if (ex.code != COR_OK)
        snprintf(err, errlen, "%s", ex.err);
    return ex.code;
}
