/* The stream for bench_qos2_receive: libmosquitto publishing N QoS 2 messages at RATE messages/s
 * (paced per millisecond), then waiting until the broker completed every handshake.
 * Usage: bench_qos2_publisher PORT N RATE TOPIC. Prints "published_per_s X". */
#include <mosquitto.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Enough unacknowledged messages that loopback round trips never hold the pace back. */
#define PUBLISHER_INFLIGHT 1000

static int completed;

static void on_publish(struct mosquitto *m, void *u, int mid)
{
    (void)m; (void)u; (void)mid;
    ++completed;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_qos2_publisher PORT N RATE TOPIC\n");
        return 2;
    }
    const int port = atoi(argv[1]);
    const int target = atoi(argv[2]);
    const double rate = atof(argv[3]);
    const char *topic = argv[4];
    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new(NULL, true, NULL);
    mosquitto_max_inflight_messages_set(m, PUBLISHER_INFLIGHT);
    mosquitto_publish_callback_set(m, on_publish);
    if (mosquitto_connect(m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "connect failed\n");
        return 1;
    }
    const double start = now();
    int published = 0;
    char payload[64];
    while (completed < target) {
        const int due = (int)((now() - start) * rate);
        while (published < target && published < due) {
            const int length = snprintf(payload, sizeof payload, "{\"seq\":%d,\"t\":21.5,\"unit\":\"C\"}", published);
            mosquitto_publish(m, NULL, topic, length, payload, 2, false);
            ++published;
        }
        if (mosquitto_loop(m, 1, 1) != MOSQ_ERR_SUCCESS) {
            fprintf(stderr, "loop failed\n");
            return 1;
        }
    }
    const double elapsed = now() - start;
    printf("published_per_s %.0f\n", target / elapsed);
    mosquitto_disconnect(m);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return 0;
}
