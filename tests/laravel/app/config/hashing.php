<?php

// hashing.php - bcrypt, as Laravel's default.

return ['driver' => 'bcrypt', 'bcrypt' => ['rounds' => 10]];
