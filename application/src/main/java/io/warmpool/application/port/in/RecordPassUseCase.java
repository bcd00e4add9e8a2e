package io.warmpool.application.port.in;

/** Keeps what operators look back on after each pass: the pass itself and samples of the pools it saw. */
public interface RecordPassUseCase {

    /**
     * Records {@code report} as run by {@code replica}. Skipped passes are not recorded. Pool samples are taken at
     * most once a minute per preset; samples and pass records older than a day are pruned.
     *
     * @throws io.warmpool.application.port.out.StoreUnavailableException when the store fails
     */
    void record(PassReport report, String replica);
}
