/* ensemble_mpi.c - distributed ensembles on Open MPI: rank 0 is the manager
 * and the only writer to the store (it also computes runs on a thread of
 * its own, see ensemble_exec.c); every other rank is a worker that asks for
 * a run, computes it and sends back the whole result (series cells, draws,
 * runtime) in the wire format of cor_ens_result_pack.
 *
 * Protocol (tags below):  worker -> 0  READY (empty) | RESULT (bytes) |
 * ERROR (text);  0 -> worker  RUN (int64: a run number, or -1: stop).  Every
 * message from a worker is answered with exactly one RUN.  Waits poll with a
 * 1 ms sleep instead of Open MPI's busy wait, so that an idle rank does not
 * take a core from a computing one. */
#include "analysis/ensemble.h"

#ifdef COR_HAVE_MPI
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TAG_READY = 101, TAG_RESULT = 102, TAG_ERROR = 103, TAG_RUN = 104 };

static void nap(void)
{
    struct timespec t = {0, 1000000};
    nanosleep(&t, NULL);
}

static int wait_req(MPI_Request *req)
{
    int done = 0;
    while (!done) {
        if (MPI_Test(req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return COR_EIO;
        if (!done)
            nap();
    }
    return COR_OK;
}

int cor_ens_mpi_init(int *rank, int *size)
{
    int provided = 0, inited = 0;
    MPI_Initialized(&inited);
    if (!inited && MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return COR_ESTATE;
    if (!inited && provided < MPI_THREAD_FUNNELED) {
        MPI_Finalize();
        return COR_ESTATE;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return COR_OK;
}

void cor_ens_mpi_finalize(void)
{
    MPI_Request req;
    if (MPI_Ibarrier(MPI_COMM_WORLD, &req) == MPI_SUCCESS)
        wait_req(&req);
    MPI_Finalize();
}

int cor_ens_mpi_share_status(int code)
{
    int v = code;
    MPI_Request req;
    if (MPI_Ibcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD, &req) != MPI_SUCCESS || wait_req(&req) != COR_OK)
        return COR_EIO;
    return v;
}

static int send_run(int dest, int64_t run)
{
    MPI_Request req;
    if (MPI_Isend(&run, 1, MPI_INT64_T, dest, TAG_RUN, MPI_COMM_WORLD, &req) != MPI_SUCCESS)
        return COR_EIO;
    return wait_req(&req);
}

int cor_ens_mpi_manager(void *ctx, cor_ens_exec *ex, int *active)
{
    cor_ens_mpi_mgr *m = ctx;
    if (!m->started) {
        int size;
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        m->active = size - 1;
        m->started = 1;
    }
    *active = m->active;
    if (m->active == 0)
        return 0;
    int flag = 0;
    MPI_Status stt;
    if (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &stt) != MPI_SUCCESS) {
        cor_ens_exec_fail(ex, COR_EIO, "MPI_Iprobe failed");
        return 0;
    }
    if (!flag)
        return 0;
    int count = 0;
    MPI_Get_count(&stt, MPI_BYTE, &count);
    unsigned char *buf = malloc(count > 0 ? (size_t)count : 1);
    if (!buf || MPI_Recv(buf, count, MPI_BYTE, stt.MPI_SOURCE, stt.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
                    MPI_SUCCESS) {
        /* cannot go on talking to this rank sensibly: stop everything */
        free(buf);
        cor_ens_exec_fail(ex, COR_ENOMEM, "out of memory receiving a result");
        send_run(stt.MPI_SOURCE, -1);
        m->active--;
        *active = m->active;
        return 1;
    }
    cor_ens_result *r = NULL;
    char msg[1200];
    if (stt.MPI_TAG == TAG_RESULT && cor_ens_result_unpack(buf, (size_t)count, &r) != COR_OK) {
        snprintf(msg, sizeof msg, "rank %d sent a malformed result", stt.MPI_SOURCE);
        cor_ens_exec_fail(ex, COR_EIO, msg);
    } else if (stt.MPI_TAG == TAG_ERROR) {
        snprintf(msg, sizeof msg, "rank %d: %.*s", stt.MPI_SOURCE, count, (const char *)buf);
        cor_ens_exec_fail(ex, COR_EINPUT, msg);
    }
    free(buf);
    /* answer first (the worker gets going), then store */
    uint32_t next;
    int64_t reply = cor_ens_exec_next(ex, &next) ? (int64_t)next : -1;
    if (send_run(stt.MPI_SOURCE, reply) != COR_OK)
        cor_ens_exec_fail(ex, COR_EIO, "MPI send failed");
    if (reply < 0)
        m->active--;
    *active = m->active;
    if (r)
        cor_ens_exec_deliver(ex, r);
    return 1;
}

static int worker_send(const void *buf, size_t len, int tag)
{
    MPI_Request req;
    if (MPI_Isend(buf, (int)len, MPI_BYTE, 0, tag, MPI_COMM_WORLD, &req) != MPI_SUCCESS)
        return COR_EIO;
    return wait_req(&req);
}

static int worker_recv_run(int64_t *run)
{
    MPI_Request req;
    if (MPI_Irecv(run, 1, MPI_INT64_T, 0, TAG_RUN, MPI_COMM_WORLD, &req) != MPI_SUCCESS)
        return COR_EIO;
    return wait_req(&req);
}

int cor_ens_mpi_worker(const cor_ens_plan *plan, char *err, size_t errlen)
{
    cor_ens_worker *w = NULL;
    int64_t run = -1;
    err[0] = 0;
    int failed = cor_ens_worker_new(plan, &w), rc;
    if (failed == COR_OK) {
        rc = worker_send("", 0, TAG_READY);
    } else {
        snprintf(err, errlen, "%s", cor_ens_worker_errmsg(w));
        rc = worker_send(err, strlen(err), TAG_ERROR);
    }
    while (rc == COR_OK && (rc = worker_recv_run(&run)) == COR_OK && run >= 0) {
        if (failed != COR_OK) { /* not expected: rank 0 stops after an error */
            rc = worker_send(err, strlen(err), TAG_ERROR);
            continue;
        }
        cor_ens_result *r = NULL;
        unsigned char *buf = NULL;
        size_t len = 0;
        int code = cor_ens_worker_run(w, (uint32_t)run, &r);
        if (code != COR_OK)
            snprintf(err, errlen, "%s", cor_ens_worker_errmsg(w));
        else if ((code = cor_ens_result_pack(r, &buf, &len)) != COR_OK)
            snprintf(err, errlen, "run %lld: out of memory", (long long)run);
        else if (len > (size_t)INT32_MAX) {
            code = COR_ENOMEM;
            snprintf(err, errlen, "run %lld: a result of %zu bytes is too large for one MPI message", (long long)run,
                     len);
        }
        cor_ens_result_free(r);
        if (code == COR_OK) {
            rc = worker_send(buf, len, TAG_RESULT);
        } else {
            failed = code;
            rc = worker_send(err, strlen(err), TAG_ERROR);
        }
        free(buf);
    }
    cor_ens_worker_free(w);
    if (rc != COR_OK) {
        snprintf(err, errlen, "MPI communication with rank 0 failed");
        return rc;
    }
    return failed;
}
#else
/* Built without Open MPI: nothing here (cor_ens_mpi_env_size is in ensemble.c). */
typedef int cor_ens_mpi_unused;
#endif
