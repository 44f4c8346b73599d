package dev.kiln.app.cli;

import dev.kiln.train.ProgressListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on stderr for long work; silent when asked (JSON output) or when stderr is not a terminal. */
final class Progress implements ProgressListener, AutoCloseable {
    private final boolean enabled;
    private ProgressBar bar;

    Progress(String task, boolean enabled) {
        this.enabled = enabled && System.console() != null;
        if (this.enabled) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(1).setStyle(ProgressBarStyle.ASCII)
                    .continuousUpdate().setUpdateIntervalMillis(200).build();
        }
    }

    @Override
    public void onStep(String step, int done, int total) {
        if (bar != null) {
            bar.maxHint(total);
            bar.stepTo(done);
            bar.setExtraMessage(step);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
