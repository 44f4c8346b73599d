package dev.kiln.runtime.model;

import java.util.List;

/**
 * An {@link EnsembleEstimator}'s contributions with each member's explanation state prepared once (see
 * {@link Contributions}): {@code phi = sum_i weight_i * phi_i}, member feature j's share added to ensemble feature
 * {@code inputs[j]}, the members' bases to the ensemble's base. Thread-safe.
 */
public final class EnsembleContributions implements Contributions {
    private final EnsembleEstimator ensemble;
    private final Contributions[] members;

    private EnsembleContributions(EnsembleEstimator ensemble) {
        if (!ensemble.explainable()) {
            throw new IllegalStateException("an ensemble member cannot be explained: " + unexplainable(ensemble));
        }
        this.ensemble = ensemble;
        List<EnsembleEstimator.Member> list = ensemble.members();
        this.members = new Contributions[list.size()];
        for (int i = 0; i < members.length; i++) {
            members[i] = Contributions.of(list.get(i).estimator());
        }
    }

    /** @throws IllegalStateException when a member is not explainable */
    public static EnsembleContributions of(EnsembleEstimator ensemble) {
        return new EnsembleContributions(ensemble);
    }

    private static String unexplainable(EnsembleEstimator ensemble) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < ensemble.members().size(); i++) {
            Estimator e = ensemble.members().get(i).estimator();
            if (!e.explainable()) {
                s.append(s.length() == 0 ? "" : ", ").append("member ").append(i).append(" (")
                        .append(e.getClass().getSimpleName()).append(')');
            }
        }
        return s.toString();
    }

    @Override
    public void compute(double[] x, double[][] phi) {
        int width = ensemble.inputWidth();
        int outputs = phi.length;
        for (double[] row : phi) {
            java.util.Arrays.fill(row, 0.0);
        }
        List<EnsembleEstimator.Member> list = ensemble.members();
        for (int i = 0; i < members.length; i++) {
            EnsembleEstimator.Member m = list.get(i);
            int mw = m.width(width);
            double[][] mphi = new double[outputs][mw + 1];
            members[i].compute(m.view(x), mphi);
            double w = m.weight();
            int[] inputs = m.inputs();
            for (int k = 0; k < outputs; k++) {
                double[] src = mphi[k];
                double[] dst = phi[k];
                for (int j = 0; j < mw; j++) {
                    dst[inputs == null ? j : inputs[j]] += w * src[j];
                }
                dst[width] += w * src[mw];
            }
        }
    }
}
