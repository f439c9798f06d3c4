// Preloaded into the API by `npm run bench:api` (node --import): profiles only the load window.
// The first SIGUSR2 starts V8's CPU profiler, the second stops it and writes the profile to
// $FBSTAB_PROFILE_FILE, so start-up and module loading stay out of the figures.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
const post = (method) =>
  new Promise((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result))));
let running = false;
process.on('SIGUSR2', () => {
  void (async () => {
    if (!running) {
      running = true;
      await post('Profiler.enable');
      await post('Profiler.start');
      return;
    }
    running = false;
    const { profile } = await post('Profiler.stop');
    writeFileSync(process.env.FBSTAB_PROFILE_FILE, JSON.stringify(profile));
    process.stdout.write('profile written\n');
  })();
});
