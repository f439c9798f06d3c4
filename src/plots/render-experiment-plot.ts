import { cellDensity } from '../experiments/energy/exact-density.js';
import type { ExperimentResult, SeededExperimentRequest } from '../experiments/experiment-request.js';
import {
  renderEnergyPlotByName,
  renderFrameBoundsPlotByName,
  type EnergyResult,
  type FrameBoundsResult,
} from './index.js';

/**
 * One named plot of a succeeded experiment, as `fbstab reproduce` and
 * `GET /v1/experiments/{id}/plots/{name}.svg` draw it (energy histograms carry the exact
 * generalized-χ² density); undefined for a name the result has no plot for.
 */
export async function renderExperimentPlot(
  request: SeededExperimentRequest,
  result: ExperimentResult,
  name: string,
  onWarning: (message: string) => void = () => {},
): Promise<string | undefined> {
  if (request.type === 'energy') {
    return renderEnergyPlotByName(result as EnergyResult, name, {
      tailProbability: request.tailProbability,
      density: (cell) => {
        try {
          return cellDensity(request, cell);
        } catch (error) {
          // A plot without the overlay beats no plot (a stored signal cannot be rebuilt here).
          onWarning(`no exact density: ${(error as Error).message}`);
          return undefined;
        }
      },
      render: { onWarning },
    });
  }
  return renderFrameBoundsPlotByName(result as FrameBoundsResult, name, { render: { onWarning } });
}
