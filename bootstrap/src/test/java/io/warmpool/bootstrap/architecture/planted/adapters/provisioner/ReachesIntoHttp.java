package io.warmpool.bootstrap.architecture.planted.adapters.provisioner;

import io.warmpool.bootstrap.architecture.planted.adapters.http.CallsAService;

/** Breaks "adapter provisioner depends on no other adapter nor bootstrap". */
public final class ReachesIntoHttp {
    CallsAService http;
}
