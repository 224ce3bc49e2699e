<?php

// queue.php - no queue: jobs run at once (Laravel's console commands need a queue manager).

return ['default' => 'sync', 'connections' => ['sync' => ['driver' => 'sync']], 'failed' => ['driver' => 'null']];
